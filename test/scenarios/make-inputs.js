#!/usr/bin/env node
/**
 * Writes the input.log of each scenario folder. The logs are committed; this script documents how
 * they were made (deterministic: no randomness, fixed clock) and regenerates them:
 *   node test/scenarios/make-inputs.js
 * Formats are those the MTAs write (Postfix syslog lines, Exim mainlog lines).
 */
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const T0 = Date.UTC(2026, 10, 23, 9, 0, 0);
const pad = (n) => String(n).padStart(2, '0');
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const syslog = (t) => { const d = new Date(t); return `${MON[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`; };
const eximTime = (t) => new Date(t).toISOString().replace('T', ' ').slice(0, 19);

const pf = {
  saslFail: (t, pid, ip, user) => `${syslog(t)} mx postfix/submission/smtpd[${pid}]: warning: unknown[${ip}]: SASL LOGIN authentication failed: authentication failure, sasl_username=${user}`,
  saslOk: (t, pid, ip, user, q) => `${syslog(t)} mx postfix/submission/smtpd[${pid}]: ${q}: client=unknown[${ip}], sasl_method=PLAIN, sasl_username=${user}`,
  connect: (t, pid, ip) => `${syslog(t)} mx postfix/submission/smtpd[${pid}]: connect from unknown[${ip}]`,
  disconnect: (t, pid, ip, auth) => `${syslog(t)} mx postfix/submission/smtpd[${pid}]: disconnect from unknown[${ip}] ehlo=1 auth=${auth} quit=1 commands=3`,
};
const exim = {
  authFail: (t, ip, helo, user) => `${eximTime(t)} login authenticator failed for (${helo}) [${ip}]:${40000 + (t % 20000)}: 535 Incorrect authentication data (set_id=${user})`,
  // a message from a client that logged in (Exim logs a login only with the message it submits)
  accepted: (t, ip, user, id) => `${eximTime(t)} ${id} <= ${user} H=(laptop) [${ip}]:${40000 + (t % 20000)} P=esmtpsa X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=no A=dovecot_login:${user} S=812 id=${id}@laptop`,
};

function write(name, lines) {
  writeFileSync(join(__dirname, name, 'input.log'), lines.join('\n') + '\n');
}

// 200 PushDo/Cutwail bots, each tries AUTH LOGIN twice with EHLO ylmf-pc (Exim mainlog).
{
  const lines = [];
  for (let i = 0; i < 200; i++) {
    const ip = i < 100 ? `203.0.113.${i + 1}` : `198.51.${i - 100}.${(i * 7) % 250 + 1}`;
    const t = T0 + i * 1500;
    lines.push(exim.authFail(t, ip, 'ylmf-pc', 'info'), exim.authFail(t + 800, ip, 'ylmf-pc', 'admin'));
  }
  write('ylmf-botnet', lines);
}

// A password spray: 300 addresses, one failure each, at the same mailbox (case and domain vary).
{
  const lines = [];
  for (let i = 0; i < 300; i++) {
    const ip = `198.${51 + (i % 3)}.${Math.floor(i / 3)}.${(i % 250) + 1}`;
    const t = T0 + i * 4000;
    const user = ['info@example.com', 'INFO@example.com', 'info'][i % 3];
    lines.push(pf.connect(t, 1000 + i, ip), pf.saslFail(t + 200, 1000 + i, ip, user), pf.disconnect(t + 300, 1000 + i, ip, '0/1'));
  }
  write('password-spray', lines);
}

// Many bad addresses in one /24 (brute force, 5 tries each), plus one lone brute-forcer elsewhere.
{
  const lines = [];
  let t = T0;
  for (let i = 1; i <= 12; i++) {
    const ip = `203.0.113.${i * 13}`;
    for (let k = 0; k < 5; k++) lines.push(pf.saslFail((t += 7000), 2000 + i, ip, `user${i}${k}@example.com`));
  }
  for (let k = 0; k < 6; k++) lines.push(pf.saslFail((t += 9000), 3000, '192.0.2.200', `guess${k}`));
  write('subnet-escalation', lines);
}

// A NAT office: 30 users log in fine every morning; two of them mistype their password a few times.
{
  const lines = [];
  const office = '198.51.100.20';
  for (let day = 0; day < 3; day++) {
    let t = T0 + day * 86_400_000;
    for (let u = 0; u < 30; u++) {
      const pid = 4000 + day * 100 + u;
      if (u === 3 || u === 7) for (let k = 0; k < 3; k++) lines.push(pf.saslFail((t += 5000), pid, office, `user${u}@example.com`));
      lines.push(pf.saslOk((t += 5000), pid, office, `user${u}@example.com`, `Q${day}${u}AB12`));
    }
  }
  write('nat-office', lines);
}

// A customer on a new dynamic address fails three times, then logs in; later mistypes twice more.
{
  const ip = '192.0.2.77';
  let t = T0;
  const lines = [];
  for (let k = 0; k < 3; k++) lines.push(pf.saslFail((t += 20_000), 5000, ip, 'bob@example.com'));
  lines.push(pf.saslOk((t += 20_000), 5001, ip, 'bob@example.com', 'B0B0B0B0'));
  for (let k = 0; k < 2; k++) lines.push(pf.saslFail((t += 600_000), 5002 + k, ip, 'bob@example.com'));
  lines.push(pf.saslOk((t += 20_000), 5005, ip, 'bob@example.com', 'B0B0B0B1'));
  write('customer-typo', lines);
}

// Issue 11 point 4: a spray at alice@ from 16 addresses (one or two tries each, every 3 s); during
// it Alice herself, on new addresses, mistypes: once, then logs in 4 s later in the same session
// (192.0.2.81); and in two separate sessions, logging in 36 s after the first failure
// (192.0.2.82). Every sprayer is banned; neither of Alice's addresses is.
function sprayedCustomer(fail, login, name) {
  const lines = [];
  const user = 'alice@example.com';
  for (let i = 0; i < 16; i++) {
    const t = T0 + i * 3000;
    const ip = `198.51.${100 + i}.${10 + i}`; // one per /24: no subnet escalation
    lines.push(...fail(t, 6000 + i, ip, user));
    if (i % 2 === 0) lines.push(...fail(t + 1000, 6100 + i, ip, user));
  }
  const a = T0 + 33_000; // the spray was recognised at its 10th address (T0 + 27 s)
  lines.push(...fail(a, 6200, '192.0.2.81', user, true), ...login(a + 4000, 6200, '192.0.2.81', user, 'AL1CE00001'));
  lines.push(...fail(a + 1000, 6201, '192.0.2.82', user), ...fail(a + 19_000, 6202, '192.0.2.82', user));
  lines.push(...login(a + 37_000, 6203, '192.0.2.82', user, 'AL1CE00002'));
  lines.sort((x, y) => (x.slice(0, 19) < y.slice(0, 19) ? -1 : x.slice(0, 19) > y.slice(0, 19) ? 1 : 0));
  write(name, lines);
}
sprayedCustomer(
  // Postfix: a failed session ends `auth=0/1`; the same session logging in ends `auth=1/2`
  (t, pid, ip, user, stays) => [pf.connect(t, pid, ip), pf.saslFail(t + 200, pid, ip, user), ...(stays ? [] : [pf.disconnect(t + 300, pid, ip, '0/1')])],
  (t, pid, ip, user, q) => (pid === 6200 ? [pf.disconnect(t, pid, ip, '1/2')] : [pf.connect(t, pid, ip), pf.saslOk(t + 200, pid, ip, user, q)]),
  'sprayed-customer-postfix',
);
sprayedCustomer(
  (t, pid, ip, user) => [exim.authFail(t, ip, 'laptop', user)],
  (t, pid, ip, user, q) => [exim.accepted(t, ip, user, `1${q.slice(0, 5)}-${q.slice(5)}0-AB`)],
  'sprayed-customer-exim',
);

// Issue 11 point 3: spam verdicts (a milter refusing the message) count only in the spam-source
// jail that one drop-in line turns on. Two spam sources (three verdicts in 20 minutes; three in
// 10 hours), a partner relay with two verdicts a day, and a customer (logged in) whose four
// spammy messages count one fifth each. The postfix jail, over the same log, bans nobody.
{
  const H = 3_600_000;
  const hdr = (t, proc, pid) => `${syslog(t)} mx postfix/${proc}[${pid}]: `;
  const eom = (t, pid, ip, q) => `${hdr(t, 'cleanup', pid)}${q}: milter-reject: END-OF-MESSAGE from unknown[${ip}]: 5.7.1 Spam message rejected; from=<offer@bulk.example> to=<info@example.com> proto=ESMTP helo=<bulk.example>`;
  const data = (t, pid, ip) => `${hdr(t, 'smtpd', pid)}NOQUEUE: milter-reject: DATA from unknown[${ip}]: 550 5.7.1 Blocked by SpamAssassin; from=<offer@bulk.example> to=<info@example.com> proto=ESMTP helo=<bulk.example>`;
  const lines = [];
  const q = (n) => `5PA${String(n).padStart(7, '0')}`;
  let n = 0;
  for (const dt of [0, 7, 19]) lines.push(eom(T0 + dt * 60_000, 7000 + n, '192.0.2.160', q(n++)));
  for (const dt of [1, 6, 11]) lines.push(data(T0 + dt * H, 7100 + n++, '192.0.2.161'));
  for (const dt of [0.5, 10, 25, 36]) lines.push(eom(T0 + dt * H, 7200 + n, '198.51.100.80', q(n++)));
  lines.push(pf.saslOk(T0 + 2 * H, 7300, '198.51.100.81', 'bob@example.com', 'B0B0B0B0B1'));
  for (let i = 0; i < 4; i++) lines.push(eom(T0 + 2 * H + (i + 1) * 600_000, 7301 + i, '198.51.100.81', q(n++)));
  lines.sort((x, y) => (x.slice(0, 15) < y.slice(0, 15) ? -1 : x.slice(0, 15) > y.slice(0, 15) ? 1 : 0));
  write('spam-source', lines);
  write('spam-not-counted', lines);
}

// The same for Exim: the exim_spam jail, turned on in one line, bans a source of three refused
// messages in a day (DATA ACL spam score, sa-exim); a relay refused twice is spared.
{
  const H = 3_600_000;
  const id = (t) => `1w${(t / 60_000).toString(36).slice(-4)}-000AbC-Zz`;
  const afterData = (t, ip) => `${eximTime(t)} ${id(t)} H=(bulk.example) [${ip}]:${40000 + (t % 20000)} F=<offer@bulk.example> rejected after DATA: Your message scored 20.0 SpamAssassin points`;
  const saExim = (t, ip) => `${eximTime(t)} ${id(t)} SA: Action: permanently rejected message: score=25.3 required=5.0 trigger=12.0 (scanned in 3/3 secs | Message-Id: ${t}@bulk.example). From <offer@bulk.example> (host=bulk.example [${ip}]) for info@example.com`;
  const lines = [];
  for (const dt of [0, 2, 9]) lines.push(afterData(T0 + dt * H, '192.0.2.162'));
  for (const dt of [1, 3, 4]) lines.push(saExim(T0 + dt * H, '192.0.2.163'));
  for (const dt of [0.5, 20]) lines.push(afterData(T0 + dt * H, '198.51.100.82'));
  lines.sort();
  write('spam-source-exim', lines);
}
