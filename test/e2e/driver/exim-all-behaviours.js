'use strict';
// The clients of the second Exim, which logs with log_selector = +all and offers STARTTLS (issue 11
// point 1): its lines carry every optional field (+millisec, log_timezone, X=, CV=, DN=, SNI=, D=)
// that the exim filter must read. Attackers here are the shapes peers count and mailjail used to
// miss: RBL-style RCPT rejects with a custom message, sender verify failures, a connect ACL's drop,
// AUTH where it is not offered. Events are noted as the client learns them (see behaviours.js).
const fs = require('node:fs');
const path = require('node:path');
const { findAccount } = require('./accounts');
const { authPlain, sendMessage } = require('./smtp-steps');

/** The key and certificate a client presents: `customer` (trusted by the server) or `bot`. */
function certificate(name) {
  const dir = process.env.MJ_E2E_TLS_DIR;
  if (!dir) throw new Error('MJ_E2E_TLS_DIR is not set (run-env.js sets it from env.json)');
  return { cert: fs.readFileSync(path.join(dir, `${name}.crt`)), key: fs.readFileSync(path.join(dir, `${name}.key`)) };
}

/** EHLO, STARTTLS, EHLO again over TLS; false when the server refused or the handshake failed. */
async function greetOverTls(session, helo, cert = {}) {
  await session.readReply();
  await session.command(`EHLO ${helo}`);
  const reply = await session.startTls(cert);
  if (reply.code !== 220 || session.closed) return false;
  return (await session.command(`EHLO ${helo}`)).code === 250;
}

/** RCPTs that the server refuses permanently, each noted as a rcpt-reject. */
async function refusedRecipients(session, recipients) {
  const codes = [];
  for (const to of recipients) {
    const { code } = await session.command(`RCPT TO:<${to}>`);
    if (code >= 500) session.event('rcpt-reject');
    codes.push(code);
  }
  return codes;
}

const eximAllBehaviours = {
  /** Two AUTH PLAIN guesses per TLS session, no client certificate. */
  async 'tls-bruteforce'(ctx) {
    for (let round = 0; round < ctx.scenario.rounds; round += 1) {
      await ctx.session(ctx.scenario.ports[0], async (session) => {
        if (!(await greetOverTls(session, 'WIN-3KQ7ABC'))) return 'no-tls';
        const codes = [];
        for (const guess of ['letmein', 'Summer2026']) codes.push((await authPlain(session, 'admin@example.test', guess)).code);
        await session.quit();
        return `auth-replies-${codes.join(',')}`;
      });
      await ctx.sleep(ctx.jitter(100, 300));
    }
  },

  /** Over TLS with a certificate the server cannot verify: four recipients an RBL ACL refuses. */
  async 'junk-rcpt'(ctx) {
    for (let round = 0; round < ctx.scenario.rounds; round += 1) {
      await ctx.session(ctx.scenario.ports[0], async (session) => {
        if (!(await greetOverTls(session, 'mail.bulk-sender.example', certificate('bot')))) return 'no-tls';
        await session.command('MAIL FROM:<offers@bulk-sender.example>');
        const codes = await refusedRecipients(session, ['alice', 'bob', 'info', 'sales'].map((u) => `${u}@example.test`));
        await session.quit();
        return `rcpt-${codes.join(',')}`;
      });
      await ctx.sleep(ctx.jitter(100, 300));
    }
  },

  /** A sender whose domain does not verify; three recipients, each refused for it. */
  async 'unverifiable-sender'(ctx) {
    for (let round = 0; round < ctx.scenario.rounds; round += 1) {
      await ctx.session(ctx.scenario.ports[0], async (session) => {
        if (!(await greetOverTls(session, 'mta.nowhere.invalid'))) return 'no-tls';
        await session.command('MAIL FROM:<ghost@nowhere.invalid>');
        const codes = await refusedRecipients(session, ['alice', 'bob', 'customer'].map((u) => `${u}@example.test`));
        await session.quit();
        return `rcpt-${codes.join(',')}`;
      });
      await ctx.sleep(ctx.jitter(100, 300));
    }
  },

  /** A blocklisted host: the connect ACL drops it before the banner. */
  async 'connect-dropped'(ctx) {
    for (let round = 0; round < ctx.scenario.rounds; round += 1) {
      await ctx.session(ctx.scenario.ports[0], async (session) => {
        const { code } = await session.readReply();
        if (code >= 500) session.event('rcpt-reject');
        await session.end();
        return `banner-${code}`;
      });
      await ctx.sleep(ctx.jitter(50, 150));
    }
  },

  /** AUTH on the MX port in clear, where the server offers it only after STARTTLS. */
  async 'auth-unadvertised'(ctx) {
    for (let round = 0; round < ctx.scenario.rounds; round += 1) {
      await ctx.session(ctx.scenario.ports[0], async (session) => {
        await session.readReply();
        await session.command('EHLO mail.bot.example');
        const { code } = await session.command('AUTH LOGIN');
        if (code === 503) session.event('auth-not-advertised');
        await session.quit();
        return `auth-${code}`;
      });
      await ctx.sleep(ctx.jitter(100, 300));
    }
  },

  /**
   * A mail client over TLS with the trusted certificate. 0 sends; 1 mistypes its password once
   * first; 2 mistypes a recipient after logging in (Exim logs that refusal with its A=, which
   * marks a customer again); 3 logs in and sends nothing (a client checking its settings).
   */
  async 'tls-customer'(ctx) {
    const accounts = ['customer@example.test', 'alice@example.test', 'bob@example.test'];
    const account = findAccount(accounts[ctx.index % accounts.length]);
    const role = ctx.index % 4;
    await ctx.session(ctx.scenario.ports[0], async (session) => {
      if (!(await greetOverTls(session, `laptop${ctx.index}.customer.example`, certificate('customer')))) return 'no-tls';
      if (role === 1 && !ctx.followUp) await authPlain(session, account.user, `${account.password}x`);
      const auth = await authPlain(session, account.user, account.password);
      if (auth.code !== 235 || role === 3) {
        await session.quit();
        return auth.code === 235 ? 'logged-in' : `auth-reply-${auth.code}`;
      }
      const to = account.user === 'bob@example.test' ? 'alice@example.test' : 'bob@example.test';
      if (role === 2 && !ctx.followUp) {
        await session.command(`MAIL FROM:<${account.user}>`);
        const typo = await session.command('RCPT TO:<nobody@example.test>');
        if (typo.code >= 500) session.event('auth-success'); // the refusal's A= is a login again
        await session.command('RSET');
      }
      const outcome = await sendMessage(session, { from: account.user, to, subject: 'Signed figures' });
      await session.quit();
      return outcome;
    });
  },
};

module.exports = { eximAllBehaviours };
