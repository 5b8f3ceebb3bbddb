'use strict';
// Fixture logs may only name documentation addresses (192.0.2.0/24, 198.51.100.0/24,
// 203.0.113.0/24, 2001:db8::/32) and loopback; anything else means traffic leaked in or out.
const net = require('node:net');

const ALLOWED_V4 = [/^192\.0\.2\./, /^198\.51\.100\./, /^203\.0\.113\./, /^127\./];

function isAllowed(address) {
  if (net.isIPv4(address)) return ALLOWED_V4.some((pattern) => pattern.test(address));
  const lower = address.toLowerCase();
  return lower.startsWith('2001:db8:') || lower === '::1';
}

/** Returns every address-looking token of `text` outside the allowed ranges, with its line. */
function findForeignAddresses(text) {
  const foreign = [];
  text.split('\n').forEach((line, index) => {
    const candidates = [
      // (not a version: Dovecot's log starts with `Dovecot v2.3.19.1`)
      ...(line.match(/(?<![\d.v])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])/g) || []),
      // Dovecot writes its addresses bare: rip=2001:db8::25, lip=...
      ...[...line.matchAll(/\b[rl]ip=([0-9A-Fa-f:.]+)/g)].map((m) => m[1].replace(/^::ffff:/i, '')),
      // IPv6 only appears bracketed in these logs: [2001:db8::1], [IPv6:...], I=[...]:port
      ...(line.match(/\[(?:IPv6:)?([0-9A-Fa-f:]*:[0-9A-Fa-f:.]+)\]/g) || [])
        .map((token) => token.replace(/^\[(?:IPv6:)?|\]$/g, '')),
    ];
    for (const address of candidates) {
      if (net.isIP(address) && !isAllowed(address)) foreign.push({ line: index + 1, address });
    }
  });
  return foreign;
}

module.exports = { findForeignAddresses };
