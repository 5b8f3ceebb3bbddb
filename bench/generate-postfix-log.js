'use strict';
/**
 * A deterministic mixed Postfix log: about 90% ordinary traffic (deliveries, submissions, TLS,
 * postscreen passes) and 10% attack lines of every kind the postfix filter knows, from a pool of
 * documentation-range addresses. Same seed, same file. The numbers of the attack lines go to
 * `<path>.attack-lines` (one per line), so a benchmark can check that every one was found.
 */
const fs = require('node:fs');

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function generatePostfixLog(path, lines, seed = 42) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const ip = () => (r() < 0.1 ? `2001:db8:${Math.floor(r() * 65535).toString(16)}::${Math.floor(r() * 65535).toString(16)}` : `${pick(['192.0.2', '198.51.100', '203.0.113'])}.${1 + Math.floor(r() * 254)}`);
  const qid = () => Math.floor(r() * 0xffffffffff).toString(16).toUpperCase().padStart(10, '0');
  const user = () => pick(['alice', 'bob', 'carol', 'info', 'admin', 'sales', 'test']) + '@example.com';
  const host = () => pick(['mail-ot1.example.net', 'smtp.example.org', 'unknown', 'mx2.example.com', 'relay.example.net']);
  // [weight, line]: roughly what one inbound message, one submission and postscreen cost in lines
  const normal = [
    [10, (h, a) => `postfix/smtpd[${pid()}]: connect from ${h}[${a}]`],
    [6, (h, a) => `postfix/smtpd[${pid()}]: Anonymous TLS connection established from ${h}[${a}]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)`],
    [8, (h, a) => `postfix/smtpd[${pid()}]: ${qid()}: client=${h}[${a}]`],
    [8, () => `postfix/cleanup[${pid()}]: ${qid()}: message-id=<${qid()}@example.org>`],
    [8, () => `postfix/qmgr[812]: ${qid()}: from=<${user()}>, size=${1000 + Math.floor(r() * 90000)}, nrcpt=1 (queue active)`],
    [5, () => `postfix/local[${pid()}]: ${qid()}: to=<${user()}>, relay=local, delay=0.2, delays=0.1/0/0/0.1, dsn=2.0.0, status=sent (delivered to mailbox)`],
    [4, () => `postfix/smtp[${pid()}]: ${qid()}: to=<${user()}>, relay=mx.example.net[198.51.100.25]:25, delay=1.1, delays=0.1/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 OK 1700000000 queued)`],
    [8, () => `postfix/qmgr[812]: ${qid()}: removed`],
    [10, (h, a) => `postfix/smtpd[${pid()}]: disconnect from ${h}[${a}] ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7`],
    [2, (h, a) => `postfix/submission/smtpd[${pid()}]: ${qid()}: client=${h}[${a}], sasl_method=PLAIN, sasl_username=${user()}`],
    [6, (h, a) => `postfix/postscreen[700]: CONNECT from [${a}]:${port()} to [198.51.100.1]:25`],
    [5, (h, a) => `postfix/postscreen[700]: PASS OLD [${a}]:${port()}`],
    [1, (h, a) => `postfix/smtpd[${pid()}]: NOQUEUE: reject: RCPT from ${h}[${a}]: 450 4.2.0 <${user()}>: Recipient address rejected: Greylisted; from=<${user()}> to=<${user()}> proto=ESMTP helo=<${h}>`],
    [0.5, (h, a) => `postfix/smtpd[${pid()}]: lost connection after DATA from ${h}[${a}]`],
  ];
  // Each attack line is its own session with its own process, as on a real server (where a new
  // session also starts with `connect from`). A reused pid would make a `disconnect ... auth=0/1`
  // the summary of an earlier session's failed login from the same address, which the matcher
  // rightly counts once (issue 11 point 5), and the line would look missed.
  let attackPid = 40000;
  const sessionPid = () => attackPid++;
  const attack = [
    (h, a) => `postfix/smtpd[${sessionPid()}]: warning: ${h}[${a}]: SASL LOGIN authentication failed: UGFzc3dvcmQ6`,
    (h, a) => `postfix/submission/smtpd[${sessionPid()}]: warning: unknown[${a}]: SASL PLAIN authentication failed: authentication failure, sasl_username=${user()}`,
    (h, a) => `postfix/smtpd[${sessionPid()}]: lost connection after AUTH from unknown[${a}]`,
    (h, a) => `postfix/smtpd[${sessionPid()}]: disconnect from unknown[${a}] ehlo=1 auth=0/1 quit=1 commands=2/3`,
    (h, a) => `postfix/smtpd[${sessionPid()}]: NOQUEUE: reject: RCPT from unknown[${a}]: 554 5.7.1 <spam@example.net>: Relay access denied; from=<x@example.org> to=<spam@example.net> proto=ESMTP helo=<ylmf-pc>`,
    (h, a) => `postfix/smtpd[${sessionPid()}]: NOQUEUE: reject: RCPT from unknown[${a}]: 504 5.5.2 <User>: Helo command rejected: need fully-qualified hostname; from=<a@example.org> to=<b@example.com> proto=ESMTP helo=<User>`,
    (h, a) => `postfix/postscreen[700]: PREGREET 11 after 0.08 from [${a}]:${port()}: EHLO ylmf-pc\\r\\n`,
    (h, a) => `postfix/smtpd[${sessionPid()}]: disconnect from unknown[${a}] ehlo=1 quit=1 commands=2`,
    (h, a) => `postfix/smtpd[${sessionPid()}]: too many errors after RCPT from unknown[${a}]`,
  ];
  const totalWeight = normal.reduce((n, [w]) => n + w, 0);
  function pickWeighted(list) {
    let x = r() * totalWeight;
    for (const [w, make] of list) if ((x -= w) < 0) return make;
    return list[list.length - 1][1];
  }
  let pidBase = 1000;
  function pid() {
    return pidBase + Math.floor(r() * 200);
  }
  function port() {
    return 1024 + Math.floor(r() * 60000);
  }
  const fd = fs.openSync(path, 'w');
  let t = Date.UTC(2026, 0, 5, 0, 0, 0);
  let out = '';
  const attackLines = [];
  for (let i = 0; i < lines; i++) {
    t += Math.floor(r() * 200);
    const d = new Date(t);
    const stamp = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')}`;
    const isAttack = r() < 0.1;
    const make = isAttack ? pick(attack) : pickWeighted(normal);
    if (isAttack) attackLines.push(i + 1);
    out += `${stamp} mx1 ${make(host(), ip())}\n`;
    if (out.length > 1 << 20) {
      fs.writeSync(fd, out);
      out = '';
    }
  }
  fs.writeSync(fd, out);
  fs.closeSync(fd);
  fs.writeFileSync(attackLinesFile(path), attackLines.join('\n') + '\n');
}

function attackLinesFile(path) {
  return `${path}.attack-lines`;
}

/** The attack line numbers written beside `path`; null if the file predates them. */
function readAttackLines(path) {
  const file = attackLinesFile(path);
  if (!fs.existsSync(file)) return null;
  return fs.readFileSync(file, 'utf8').trim().split('\n').map(Number);
}

module.exports = { generatePostfixLog, readAttackLines };
