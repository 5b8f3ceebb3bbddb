/** Defaults of mailjail.yaml; apart from schema.ts so the CLI's client commands need no zod to find the socket. */
export const MAIN_DEFAULTS = {
  database: '/var/lib/mailjail/mailjail.sqlite3',
  socket: '/run/mailjail/mailjail.sock',
  action: 'nftables',
  logLevel: 'info',
  reconcileInterval: 60_000,
  maxBanPrefix: { ipv4: 16, ipv6: 32 },
  /** `nftables.table`: the table mailjail owns (iptables chains and ipsets are prefixed with it too). */
  nftablesTable: 'mailjail',
  /** `ipset.maxElem`: the kernel refuses more elements than a set was created for. */
  ipsetMaxElem: 262144,
} as const;
