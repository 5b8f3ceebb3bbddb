'use strict';
// Addresses and prefixes as the e2e checks compare them: canonical `addr/len` text (a host is
// /32 or /128), and containment. Independent of mailjail's own src/core/ip.ts on purpose.
const ipaddr = require('ipaddr.js');

/** '192.0.2.7' -> '192.0.2.7/32'; '2001:DB8:1:10::/64' -> '2001:db8:1:10::/64'; null if invalid. */
function canonical(text) {
  try {
    if (!text.includes('/')) {
      const addr = ipaddr.parse(text);
      return `${addr.toString()}/${addr.kind() === 'ipv4' ? 32 : 128}`;
    }
    const [addr, len] = ipaddr.parseCIDR(text);
    const network = addr.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(text)
      : ipaddr.IPv6.networkAddressFromCIDR(text);
    return `${network.toString()}/${len}`;
  } catch {
    return null;
  }
}

/** Does the prefix (or host) `outer` contain the address or prefix `inner`? */
function contains(outer, inner) {
  const a = canonical(outer);
  const b = canonical(inner);
  if (!a || !b) return false;
  const [outerAddr, outerLen] = ipaddr.parseCIDR(a);
  const [innerAddr, innerLen] = ipaddr.parseCIDR(b);
  if (outerAddr.kind() !== innerAddr.kind() || innerLen < outerLen) return false;
  return innerAddr.match(outerAddr, outerLen);
}

/** The offender mailjail counts for an address: itself (IPv4) or its /64 (IPv6, the default). */
function offenderOf(address, ipv6HostPrefix = 64) {
  return address.includes(':') ? canonical(`${address}/${ipv6HostPrefix}`) : canonical(address);
}

module.exports = { canonical, contains, offenderOf };
