'use strict';
/**
 * Attack lines and addresses for the daemon benchmarks. One postscreen PREGREET line with the
 * `EHLO ylmf-pc` fingerprint bans at first sighting (README: "fingerprint"), so one line is one
 * ban and the benchmarks need no maxRetry tuning.
 *
 * Addresses: 100,000 distinct IPv4 hosts do not fit in the documentation ranges (3 x /24), so
 * the benchmarks use 198.18.0.0/15, the range RFC 2544 reserves for benchmarking (never routed;
 * and it only ever exists inside the benchmark's own network namespace).
 */

/** The i-th host of 198.18.0.0/15, skipping .0 and .255 (254 hosts per /24; 130,048 in all). */
function floodIp(i) {
  const net = Math.floor(i / 254);
  if (net >= 512) throw new RangeError(`only 130,048 benchmark addresses, asked for #${i}`);
  return `198.${18 + (net >> 8)}.${net & 255}.${1 + (i % 254)}`;
}

/** The i-th address with a /24 of its own (i < 512), so subnet escalation never merges them. */
function spreadIp(i) {
  if (i >= 512) throw new RangeError('only 512 /24s in 198.18.0.0/15');
  return `198.${18 + (i >> 8)}.${i & 255}.${1 + ((i * 37) % 254)}`;
}

/** RFC 3339 stamp as rsyslog's high-precision format writes it. */
function stamp(date = new Date()) {
  return date.toISOString().replace('Z', '+00:00');
}

function pregreetLine(ip, time = stamp(), port = 40000) {
  return `${time} mx postfix/postscreen[700]: PREGREET 11 after 0.08 from [${ip}]:${port}: EHLO ylmf-pc\\r\\n`;
}

/** A classic SASL failure (what fail2ban's postfix[mode=auth] filter also matches). */
function saslLine(ip, time = stamp(), pid = 4242) {
  return `${time} mx postfix/submission/smtpd[${pid}]: warning: unknown[${ip}]: SASL LOGIN authentication failed: authentication failure, sasl_username=info@example.com`;
}

module.exports = { floodIp, spreadIp, stamp, pregreetLine, saslLine };
