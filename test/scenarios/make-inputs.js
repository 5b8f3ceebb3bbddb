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
