'use strict';
// Which client address plays which part, and what mailjail (shipped jails, default settings) must
// do about it. Every scenario has its own fixed addresses so fixtures/logs/real-scenarios.json can
// say, line by line, who did what.
//
// Topology (see topology.js for the server side):
//   192.0.2.0/24      every attacker except the sprayers, and every customer and partner MTA.
//                     The server owns 192.0.2.1, so mailjail must never escalate this /24: each
//                     attacker must be banned by its own rule, and the legitimate clients among
//                     them must stay untouched.
//   198.51.100.0/24   Postfix's sprayers, 203.0.113.0/24 Exim's. The server owns nothing there:
//                     once 5 sprayers are banned the /24 is (subnet escalation), which then covers
//                     the later ones. One /24 per MTA, so one jail's subnet ban (it drops every
//                     port) cannot keep the other jail's sprayers from ever reaching its log.
//   2001:db8:1::/48   Postfix's other IPv6 attackers, 2001:db8:2::/48 Exim's, 2001:db8:3::/48
//                     and 2001:db8:4::/48 their sprayers: each address in its own /64 (mailjail
//                     counts and bans IPv6 per /64); 5 banned /64s ban the /48.
//   2001:db8:a::/48   IPv6 customers and partner MTAs, each in its own /64, no attacker in it.
const { PORTS } = require('./topology');

function range4(prefix, first, count) {
  return Array.from({ length: count }, (_, index) => `${prefix}.${first + index}`);
}

/** `count` IPv6 addresses, each in its own /64: <prefix48>:<first+i in hex>::25. */
function range6(prefix48, first, count) {
  return Array.from({ length: count }, (_, index) => `${prefix48}:${(first + index).toString(16)}::25`);
}

/**
 * Prefixes mailjail may escalate to (subnet:<prefix>) in this topology. An attacker inside one of
 * them may be covered by the subnet ban instead of a ban of its own; anywhere else, its own ban
 * must carry the scenario's reason. No legitimate address is inside any of them.
 */
const ESCALATION_PREFIXES = [
  '198.51.100.0/24', '203.0.113.0/24', '2001:db8:1::/48', '2001:db8:2::/48', '2001:db8:3::/48', '2001:db8:4::/48',
  '2001:db8:5::/48',
];

/**
 * `expect.reasons`: the ban reasons (mailjail's `reason`, `spray:<hash>` as `spray`) that are
 * right for the scenario's own bans. `rounds` is how many sessions an attacker opens (it stops
 * early once its connection is dropped). `failuresPerAddress` is what reaches the log when no
 * ban interrupts.
 */
function buildScenarios() {
  return [
    // ---- Postfix: 25 = plain smtpd, 2525 = postscreen, 587 = submission (Dovecot SASL)
    {
      // Postfix's normal log does not show the HELO of an AUTH failure, so ylmf-pc is invisible
      // here; four user names tried from 44 addresses make it a spray.
      id: 'postfix-ylmf-botnet', mta: 'postfix', kind: 'ylmf-botnet',
      ports: [PORTS.postfixSmtp, PORTS.postfixSubmission],
      addresses: [...range4('192.0.2', 10, 40), ...range6('2001:db8:1', 0x10, 4)],
      expect: { ban: true, reasons: ['spray'], failuresPerAddress: 2 },
    },
    {
      id: 'postfix-bruteforce', mta: 'postfix', kind: 'bruteforce',
      ports: [PORTS.postfixSubmission],
      addresses: ['192.0.2.50'],
      expect: { ban: true, reasons: ['threshold'], failuresPerAddress: 10 },
    },
    {
      id: 'postfix-spray', mta: 'postfix', kind: 'password-spray',
      ports: [PORTS.postfixSubmission, PORTS.postfixSmtp],
      addresses: [...range4('198.51.100', 10, 40), ...range6('2001:db8:3', 0x10, 4)],
      expect: { ban: true, reasons: ['spray'], failuresPerAddress: 1 },
    },
    {
      id: 'postfix-pregreet', mta: 'postfix', kind: 'fast-talker',
      ports: [PORTS.postfixPostscreen],
      addresses: [...range4('192.0.2', 60, 5), ...range6('2001:db8:1', 0x60, 1)],
      expect: { ban: true, reasons: ['fingerprint'], failuresPerAddress: 2 },
    },
    {
      id: 'postfix-bad-helo', mta: 'postfix', kind: 'bad-helo',
      ports: [PORTS.postfixSmtp], rounds: 6,
      addresses: [...range4('192.0.2', 70, 5), ...range6('2001:db8:1', 0x70, 1)],
      expect: { ban: true, reasons: ['threshold'], failuresPerAddress: 6 },
    },
    {
      // A bot whose HELO does not resolve, hammering: Postfix defers each RCPT (450, temp-reject,
      // 0.25 in 4 minutes), so its 20th visit within 4 minutes bans it (issue 11.3).
      id: 'postfix-deferred-helo', mta: 'postfix', kind: 'deferred-helo',
      ports: [PORTS.postfixSmtp], rounds: 22,
      addresses: range4('192.0.2', 76, 1),
      expect: { ban: true, reasons: ['threshold'], failuresPerAddress: 22 },
    },
    {
      // Only `disconnect ... ehlo=1 quit=1 commands=2` reaches the log: 0.25 each, so 20 visits.
      id: 'postfix-ehlo-quit-scanner', mta: 'postfix', kind: 'ehlo-quit-scanner',
      ports: [PORTS.postfixSmtp], rounds: 22,
      addresses: [...range4('192.0.2', 80, 3), ...range6('2001:db8:1', 0x80, 1)],
      expect: { ban: true, reasons: ['threshold'], failuresPerAddress: 22 },
    },
    {
      // "improper command pipelining" is talking out of turn: the pregreet fingerprint.
      id: 'postfix-pipelining', mta: 'postfix', kind: 'pipelining-spammer',
      ports: [PORTS.postfixSmtp],
      addresses: range4('192.0.2', 90, 2),
      expect: { ban: true, reasons: ['fingerprint'], failuresPerAddress: 2 },
    },
    {
      id: 'postfix-customers', mta: 'postfix', kind: 'customer',
      ports: [PORTS.postfixSubmission],
      addresses: [...range4('192.0.2', 200, 6), ...range6('2001:db8:a', 0xa0, 1)],
      legitimate: true,
      expect: { ban: false, reasons: [], failuresPerAddress: 1 },
    },
    {
      // Issue 11 point 4: info@'s owner mistypes during the spray on info@, on addresses of its
      // own, then logs in. The spray's members are held 20 s; the login cancels her ban.
      id: 'postfix-sprayed-customer', mta: 'postfix', kind: 'sprayed-customer',
      ports: [PORTS.postfixSubmission], during: 'postfix-spray', spraySeen: 8,
      addresses: ['192.0.2.53', '192.0.2.54', '192.0.2.57'],
      legitimate: true,
      // `strikes`: her failed logins were seen and counted (then forgiven by her login), per address.
      expect: { ban: false, reasons: [], failuresPerAddress: 1, strikes: [1, 2, 2] },
    },
    {
      id: 'postfix-legit-mta', mta: 'postfix', kind: 'legit-mta',
      ports: [PORTS.postfixSmtp, PORTS.postfixPostscreen],
      addresses: [...range4('192.0.2', 210, 3), ...range6('2001:db8:a', 0xb0, 1)],
      legitimate: true,
      expect: { ban: false, reasons: [], failuresPerAddress: 0 },
    },
    // ---- Exim: 1025 = MX port (greeting delay, HELO check), 1587 = submission (plaintext auth)
    {
      // Exim names the HELO in its AUTH failure line: `(ylmf-pc)` is the fingerprint.
      id: 'exim-ylmf-botnet', mta: 'exim', kind: 'ylmf-botnet',
      ports: [PORTS.eximSubmission],
      addresses: [...range4('192.0.2', 110, 30), ...range6('2001:db8:2', 0x10, 4)],
      expect: { ban: true, reasons: ['fingerprint'], failuresPerAddress: 2 },
    },
    {
      id: 'exim-bruteforce', mta: 'exim', kind: 'bruteforce',
      ports: [PORTS.eximSubmission],
      addresses: ['192.0.2.150'],
      expect: { ban: true, reasons: ['threshold'], failuresPerAddress: 10 },
    },
    {
      id: 'exim-spray', mta: 'exim', kind: 'password-spray',
      ports: [PORTS.eximSubmission],
      addresses: [...range4('203.0.113', 10, 30), ...range6('2001:db8:4', 0x10, 4)],
      expect: { ban: true, reasons: ['spray'], failuresPerAddress: 1 },
    },
    {
      id: 'exim-fast-talker', mta: 'exim', kind: 'fast-talker',
      ports: [PORTS.eximSmtp],
      addresses: [...range4('192.0.2', 160, 5), ...range6('2001:db8:2', 0x60, 1)],
      expect: { ban: true, reasons: ['fingerprint'], failuresPerAddress: 2 },
    },
    {
      id: 'exim-bad-helo', mta: 'exim', kind: 'bad-helo',
      ports: [PORTS.eximSmtp], rounds: 6,
      addresses: [...range4('192.0.2', 170, 5), ...range6('2001:db8:2', 0x70, 1)],
      expect: { ban: true, reasons: ['threshold'], failuresPerAddress: 6 },
    },
    {
      // Exim rejects "EHLO User" (1) and logs `no MAIL ... C=EHLO,QUIT` (0.25): 4 visits ban.
      id: 'exim-ehlo-quit-scanner', mta: 'exim', kind: 'ehlo-quit-scanner',
      ports: [PORTS.eximSmtp], rounds: 6,
      addresses: [...range4('192.0.2', 180, 3), ...range6('2001:db8:2', 0x80, 1)],
      expect: { ban: true, reasons: ['threshold'], failuresPerAddress: 6 },
    },
    {
      id: 'exim-pipelining', mta: 'exim', kind: 'pipelining-spammer',
      ports: [PORTS.eximSmtp],
      addresses: range4('192.0.2', 190, 2),
      expect: { ban: true, reasons: ['fingerprint'], failuresPerAddress: 2 },
    },
    {
      id: 'exim-customers', mta: 'exim', kind: 'customer',
      ports: [PORTS.eximSubmission],
      addresses: [...range4('192.0.2', 220, 6), ...range6('2001:db8:a', 0x1a0, 1)],
      legitimate: true,
      expect: { ban: false, reasons: [], failuresPerAddress: 1 },
    },
    {
      id: 'exim-sprayed-customer', mta: 'exim', kind: 'sprayed-customer',
      ports: [PORTS.eximSubmission], during: 'exim-spray', spraySeen: 8,
      addresses: ['192.0.2.55', '192.0.2.56', '192.0.2.58'],
      legitimate: true,
      expect: { ban: false, reasons: [], failuresPerAddress: 1, strikes: [1, 2, 2] },
    },
    {
      id: 'exim-legit-mta', mta: 'exim', kind: 'legit-mta',
      ports: [PORTS.eximSmtp],
      addresses: [...range4('192.0.2', 230, 3), ...range6('2001:db8:a', 0x1b0, 1)],
      legitimate: true,
      expect: { ban: false, reasons: [], failuresPerAddress: 0 },
    },
    // ---- Exim with log_selector = +all and STARTTLS (self-signed certificate; some clients present
    // one): 1026 = MX (AUTH offered only after STARTTLS), 1588 = submission. Issue 11 point 1.
    {
      id: 'exim-all-tls-bruteforce', mta: 'exim', kind: 'tls-bruteforce',
      ports: [PORTS.eximAllSubmission], rounds: 3,
      addresses: ['192.0.2.140'],
      expect: { ban: true, reasons: ['threshold'], failuresPerAddress: 6 },
    },
    {
      // Refused by an RBL-style ACL whose message quotes $sender_fullhost, over TLS with a client
      // certificate the server cannot verify (X=, CV=no, DN=, SNI= on every reject line).
      id: 'exim-all-junk-rcpt', mta: 'exim', kind: 'junk-rcpt',
      ports: [PORTS.eximAllSmtp], rounds: 3, eximAcl: 'junk',
      addresses: ['192.0.2.141', ...range6('2001:db8:2', 0xa0, 1)],
      expect: { ban: true, reasons: ['threshold'], failuresPerAddress: 12 },
    },
    {
      id: 'exim-all-sender-verify', mta: 'exim', kind: 'unverifiable-sender',
      ports: [PORTS.eximAllSmtp], rounds: 4, eximAcl: 'sender-verify',
      addresses: ['192.0.2.142'],
      expect: { ban: true, reasons: ['threshold'], failuresPerAddress: 12 },
    },
    {
      // Dropped by the connect ACL: `rejected connection` then `closed by DROP in ACL`.
      id: 'exim-all-connect-drop', mta: 'exim', kind: 'connect-dropped',
      ports: [PORTS.eximAllSmtp], rounds: 10, eximAcl: 'drop',
      addresses: ['192.0.2.143'],
      expect: { ban: true, reasons: ['threshold'], failuresPerAddress: 10 },
    },
    {
      id: 'exim-all-auth-unadvertised', mta: 'exim', kind: 'auth-unadvertised',
      ports: [PORTS.eximAllSmtp], rounds: 4,
      addresses: ['192.0.2.144'],
      expect: { ban: true, reasons: ['threshold'], failuresPerAddress: 4 },
    },
    {
      // Over TLS with a certificate the server trusts (CV=yes): one mistypes once, one mistypes a
      // recipient after logging in, one logs in and sends nothing (a mail client checking settings).
      id: 'exim-all-customers', mta: 'exim', kind: 'tls-customer',
      ports: [PORTS.eximAllSubmission],
      addresses: [...range4('192.0.2', 226, 3), ...range6('2001:db8:a', 0x1c0, 1)],
      legitimate: true,
      expect: { ban: false, reasons: [], failuresPerAddress: 1 },
    },
    {
      id: 'exim-all-legit-mta', mta: 'exim', kind: 'legit-mta',
      ports: [PORTS.eximAllSmtp], startTls: true,
      addresses: ['192.0.2.229', '192.0.2.218'],
      legitimate: true,
      expect: { ban: false, reasons: [], failuresPerAddress: 0 },
    },
    // ---- Dovecot: 143 = IMAP, 110 = POP3, on the passwd-file Postfix's SASL uses (issue 12)
    {
      // Three connections of three guesses: Dovecot's summary says `3 attempts`, three strikes each.
      id: 'dovecot-bruteforce', mta: 'dovecot', kind: 'mailbox-bruteforce',
      ports: [PORTS.dovecotImap, PORTS.dovecotPop3], rounds: 3,
      addresses: ['192.0.2.51', '192.0.2.52', '2001:db8:5:51::25'],
      expect: { ban: true, reasons: ['threshold'], failuresPerAddress: 9 },
    },
    {
      // info@ is the SMTP sprayers' target too: one spray per server. 192.0.2.0/24 holds the
      // server, so no subnet ban helps: every sprayer must be caught by the spray rule itself.
      id: 'dovecot-spray', mta: 'dovecot', kind: 'mailbox-spray',
      ports: [PORTS.dovecotImap, PORTS.dovecotPop3],
      addresses: [...range4('192.0.2', 92, 18), ...range4('192.0.2', 233, 22)],
      expect: { ban: true, reasons: ['spray'], failuresPerAddress: 1 },
    },
    {
      // `no auth attempts`: 0.25 each, remembered for a day, so 20 visits.
      id: 'dovecot-scanner', mta: 'dovecot', kind: 'mailbox-scanner',
      ports: [PORTS.dovecotImap, PORTS.dovecotPop3], rounds: 22,
      addresses: range4('192.0.2', 83, 3),
      expect: { ban: true, reasons: ['threshold'], failuresPerAddress: 22 },
    },
    {
      id: 'dovecot-malformed', mta: 'dovecot', kind: 'mailbox-malformed',
      ports: [PORTS.dovecotImap, PORTS.dovecotPop3], rounds: 6,
      addresses: range4('192.0.2', 86, 2),
      expect: { ban: true, reasons: ['threshold'], failuresPerAddress: 6 },
    },
    {
      id: 'dovecot-customers', mta: 'dovecot', kind: 'mailbox-customer',
      ports: [PORTS.dovecotImap, PORTS.dovecotPop3],
      addresses: [...range4('192.0.2', 206, 4), ...range4('192.0.2', 213, 4), ...range6('2001:db8:a', 0xc0, 1)],
      legitimate: true,
      expect: { ban: false, reasons: [], failuresPerAddress: 1 },
    },
    {
      id: 'dovecot-nat-office', mta: 'dovecot', kind: 'mailbox-nat-office',
      ports: [PORTS.dovecotImap, PORTS.dovecotPop3],
      addresses: ['192.0.2.217'],
      legitimate: true,
      expect: { ban: false, reasons: [], failuresPerAddress: 3 },
    },
    {
      // Postfix and Dovecot's auth process both log this one failure: exactly one strike.
      id: 'smtp-auth-counted-once', mta: 'postfix', kind: 'smtp-auth-once',
      ports: [PORTS.postfixSubmission],
      addresses: ['192.0.2.88'],
      expect: { ban: false, reasons: [], failuresPerAddress: 1, strikes: 1 },
    },
  ].map((scenario) => ({ legitimate: false, rounds: 2, ...scenario }));
}

/** The +all Exim's ACL host lists (`<;`-separated: IPv6 addresses hold colons), by `eximAcl`. */
function eximAclHosts(kind) {
  const hosts = buildScenarios().filter((s) => s.eximAcl === kind).flatMap((s) => s.addresses);
  return `<; ${hosts.join(' ; ')}`;
}

function allClientAddresses(scenarios = buildScenarios()) {
  const seen = new Set();
  for (const scenario of scenarios) {
    for (const address of scenario.addresses) {
      if (seen.has(address)) throw new Error(`address ${address} is used by two scenarios`);
      seen.add(address);
    }
  }
  return [...seen];
}

module.exports = { buildScenarios, allClientAddresses, eximAclHosts, ESCALATION_PREFIXES };
