/** Defaults of mailjail.yaml; apart from schema.ts so the CLI's client commands need no zod to find the socket. */
export const MAIN_DEFAULTS = {
  database: '/var/lib/mailjail/mailjail.sqlite3',
  socket: '/run/mailjail/mailjail.sock',
  action: 'nftables',
  logLevel: 'info',
  reconcileInterval: 60_000,
  maxBanPrefix: { ipv4: 16, ipv6: 32 },
} as const;
