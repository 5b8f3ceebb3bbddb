'use strict';
// The fixed shape of the e2e network: which server addresses and ports the MTAs use.
// setup.sh reads it through `main.js env-vars`, so the driver and the configs cannot disagree.

/** Server side of the veth pair. Its .1 addresses are never used by a client. */
const SERVER = {
  v4: '192.0.2.1',
  v6: '2001:db8::1',
  // 198.51.100.0/24 and 203.0.113.0/24 (the sprayers) are only routed: the server owns no
  // address there, so mailjail may escalate them, but never 192.0.2.0/24.
  v4Aliases: [],
  v4Routes: ['198.51.100.0/24', '203.0.113.0/24'],
  v4PrefixLength: 24,
  v6PrefixLength: 32,
};

const PORTS = {
  postfixSmtp: 25,
  postfixPostscreen: 2525,
  postfixSubmission: 587,
  eximSmtp: 1025,
  eximSubmission: 1587,
  // A second Exim with log_selector = +all and STARTTLS (issue 11 point 1): every optional field.
  eximAllSmtp: 1026,
  eximAllSubmission: 1588,
  dovecotImap: 143,
  dovecotPop3: 110,
};

/**
 * A port nothing listens on: before a ban a connection is refused at once (RST), after it the
 * SYN is dropped. The driver polls it to time bans without adding lines to the MTAs' logs.
 */
const CLOSED_PORT = 9;

/** Address family of a literal, for picking the server address a client must dial. */
function isIpv6(address) {
  return address.includes(':');
}

function serverAddressFor(clientAddress) {
  return isIpv6(clientAddress) ? SERVER.v6 : SERVER.v4;
}

module.exports = { SERVER, PORTS, CLOSED_PORT, isIpv6, serverAddressFor };
