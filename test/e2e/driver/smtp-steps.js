'use strict';
// SMTP steps the behaviours share: AUTH LOGIN/PLAIN (noting what the client saw), a HELO refusal,
// one message sent.

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');

async function authLogin(session, user, password) {
  const start = await session.command('AUTH LOGIN');
  if (start.code !== 334) return start;
  const afterUser = await session.command(b64(user));
  if (afterUser.code !== 334) return afterUser;
  return noteAuthReply(session, await session.command(b64(password)));
}

async function authPlain(session, user, password) {
  return noteAuthReply(session, await session.command(`AUTH PLAIN ${b64(`\0${user}\0${password}`)}`));
}

function noteAuthReply(session, reply) {
  if (reply.code === 535) session.event('auth-failure');
  else if (reply.code === 235) session.event('auth-success');
  return reply;
}

/** Postfix rejects a bad HELO at RCPT time (smtpd_delay_reject), Exim at the HELO itself. */
function noteHeloRejection(session, ...replies) {
  const rejected = replies.some((reply) =>
    reply.code >= 500 && reply.lines.some((line) => /\b(?:helo|ehlo)\b/i.test(line)));
  if (rejected) session.event('bad-helo');
}

async function sendMessage(session, { from, to, subject }) {
  const mail = await session.command(`MAIL FROM:<${from}>`);
  if (mail.code !== 250) return 'mail-rejected';
  const rcpt = await session.command(`RCPT TO:<${to}>`);
  if (rcpt.code !== 250) return 'rcpt-rejected';
  const data = await session.command('DATA');
  if (data.code !== 354) return 'data-rejected';
  session.sendBurst([
    `From: <${from}>`,
    `To: <${to}>`,
    `Subject: ${subject}`,
    `Message-ID: <${Date.now()}.${Math.floor(Math.random() * 1e6)}@${from.split('@')[1]}>`,
    '',
    'Hello from the mailjail e2e traffic driver.',
    '.',
  ]);
  const queued = await session.readReply();
  return queued.code === 250 ? 'delivered' : 'message-rejected';
}

module.exports = { b64, authLogin, authPlain, noteAuthReply, noteHeloRejection, sendMessage };
