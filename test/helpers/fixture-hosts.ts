/**
 * Many distinct host addresses from the documentation ranges, for firewall tests that fill a set:
 * the three IPv4 /24s first (hosts 1..hostsPerV4Net), then IPv6 hosts under `v6Prefix` (hex
 * suffixes counting up from `firstV6`) until there are `count`.
 */
export function documentationHosts(
  count: number,
  options: { hostsPerV4Net?: number; v6Prefix?: string; firstV6?: number } = {},
): string[] {
  const { hostsPerV4Net = 250, v6Prefix = '2001:db8:100::', firstV6 = 1 } = options;
  const ips: string[] = [];
  for (const net of ['192.0.2', '198.51.100', '203.0.113']) for (let h = 1; h <= hostsPerV4Net; h++) ips.push(`${net}.${h}`);
  for (let i = firstV6; ips.length < count; i++) ips.push(`${v6Prefix}${i.toString(16)}`);
  return ips;
}
