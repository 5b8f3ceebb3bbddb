'use strict';
// What each kind of client does, one async function per scenario kind. Attackers follow the
// transcripts in shared/seeds (ylmf-pc + AUTH LOGIN, "EHLO User" then QUIT, commands without
// waiting for replies); customers and partner MTAs behave like ordinary software.
//
// `session.event(name)` records what the server saw, at the moment the client learns it (the
// reply that reveals it): the e2e test times bans from the last such moment, and
// real-scenarios.json counts them to check the filters without trusting any regex.
const { findAccount } = require('./accounts');
const { authLogin, authPlain, noteHeloRejection, sendMessage } = require('./smtp-steps');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The botnet's guesses (hanks / 888888 as in the IceWarp transcript). No other scenario uses these
 * names, so the botnet's spray is its own and the brute forcer's `admin` stays a threshold case.
 */
const BOT_USERS = ['hanks', 'test', 'sales', 'webmaster'];
const BOT_PASSWORDS = ['888888', '123456', 'password', 'qwerty', '111111', 'abc123', 'admin123'];

const behaviours = {
  /** EHLO ylmf-pc, AUTH LOGIN with a guessed password, drop: twice per address. */
  async 'ylmf-botnet'(ctx) {
    for (let round = 0; round < ctx.scenario.rounds; round += 1) {
      const port = ctx.scenario.ports[(ctx.index + round) % ctx.scenario.ports.length];
      const user = BOT_USERS[(ctx.index + round) % BOT_USERS.length];
      await ctx.session(port, async (session) => {
        await session.readReply();
        await session.command('EHLO ylmf-pc');
        const reply = await authLogin(session, user, ctx.pick(BOT_PASSWORDS));
        await session.drop();
        return reply.code === 535 ? 'auth-failed' : `auth-reply-${reply.code}`;
      });
      await ctx.sleep(ctx.jitter(200, 800));
    }
  },

  /** One address, ten AUTH PLAIN failures against admin, two per connection. */
  async bruteforce(ctx) {
    const port = ctx.scenario.ports[0];
    for (let round = 0; round < 5; round += 1) {
      await ctx.session(port, async (session) => {
        await session.readReply();
        await session.command('EHLO WIN-3KQ7ABC');
        const codes = [];
        for (let guess = 0; guess < 2; guess += 1) {
          const password = BOT_PASSWORDS[(round * 2 + guess) % BOT_PASSWORDS.length];
          codes.push((await authPlain(session, 'admin@example.test', password)).code);
        }
        await session.quit();
        return codes.every((code) => code === 535) ? 'auth-failed-twice' : `auth-replies-${codes.join(',')}`;
      });
      await ctx.sleep(ctx.jitter(100, 400));
    }
  },

  /** Many addresses, one wrong password each, all for the same mailbox. */
  async 'password-spray'(ctx) {
    const port = ctx.scenario.ports[ctx.index % ctx.scenario.ports.length];
    await ctx.session(port, async (session) => {
      await session.readReply();
      await session.command(`EHLO ${ctx.heloLiteral()}`);
      const reply = await authLogin(session, 'info@example.test', `Spring2026!${ctx.index}`);
      await session.quit();
      return reply.code === 535 ? 'auth-failed' : `auth-reply-${reply.code}`;
    });
  },

  /** Sends EHLO before the greeting, then tries to send spam anyway. */
  async 'fast-talker'(ctx) {
    for (let round = 0; round < ctx.scenario.rounds; round += 1) {
      await ctx.session(ctx.scenario.ports[0], async (session) => {
        session.send('EHLO ylmf-pc');
        let reply = await session.readReply(10000);
        // The server judges (and logs) the pregreet only once its greeting is due.
        session.event('pregreet');
        // The banner (possibly postscreen's multi-line one) arrives before the EHLO reply.
        if (reply.code === 220) reply = await session.readReply(10000);
        if (reply.code === 0) return 'closed-after-pregreet';
        const mail = await session.command('MAIL FROM:<bulk@spam.example>');
        const rcpt = mail.code ? await session.command('RCPT TO:<info@example.test>') : mail;
        if (rcpt.code >= 500) session.event('rcpt-reject'); // postscreen's "550 5.5.1 Protocol error"
        await session.quit();
        return `mail-${mail.code}-rcpt-${rcpt.code}`;
      });
      await ctx.sleep(ctx.jitter(300, 900));
    }
  },

  /** HELO/EHLO with a non-FQDN or invalid name, then MAIL and RCPT to a local mailbox. */
  async 'bad-helo'(ctx) {
    // No fingerprint name (ylmf-pc) here: these must add up to the threshold on their own.
    const names = ['User', 'localhost', 'WIN-7H3K2L', '!!invalid!!', 'desktop', 'PC01'];
    for (let round = 0; round < ctx.scenario.rounds; round += 1) {
      await ctx.session(ctx.scenario.ports[0], async (session) => {
        await session.readReply();
        const verb = round % 2 === 0 ? 'HELO' : 'EHLO';
        const helo = await session.command(`${verb} ${names[(ctx.index + round) % names.length]}`);
        const mail = await session.command('MAIL FROM:<offers@bulk.example>');
        const rcpt = await session.command('RCPT TO:<info@example.test>');
        noteHeloRejection(session, helo, rcpt);
        await session.quit();
        return `helo-${helo.code}-mail-${mail.code}-rcpt-${rcpt.code}`;
      });
      await ctx.sleep(ctx.jitter(200, 600));
    }
  },

  /** EHLO with a name the server cannot resolve, MAIL and RCPT (deferred with 450), again and again. */
  async 'deferred-helo'(ctx) {
    for (let round = 0; round < ctx.scenario.rounds; round += 1) {
      await ctx.session(ctx.scenario.ports[0], async (session) => {
        await session.readReply();
        const ehlo = await session.command('EHLO mx.unresolvable.example');
        const mail = await session.command('MAIL FROM:<offers@bulk.example>');
        const rcpt = await session.command('RCPT TO:<info@example.test>');
        if (rcpt.code >= 400 && rcpt.code < 500) session.event('temp-reject');
        await session.quit();
        return `ehlo-${ehlo.code}-mail-${mail.code}-rcpt-${rcpt.code}`;
      });
      await ctx.sleep(ctx.jitter(200, 600));
    }
  },

  /** "EHLO User" then QUIT, again and again (shared/seeds/postfix-verbose-ehlo-quit-scanner.txt). */
  async 'ehlo-quit-scanner'(ctx) {
    for (let round = 0; round < ctx.scenario.rounds; round += 1) {
      await ctx.session(ctx.scenario.ports[0], async (session) => {
        await session.readReply();
        const ehlo = await session.command('EHLO User');
        noteHeloRejection(session, ehlo); // Exim refuses it at once; Postfix never says why
        const quit = await session.quit();
        if (quit.code === 221) session.event('ehlo-quit');
        return `ehlo-${ehlo.code}-quit`;
      });
      await ctx.sleep(ctx.jitter(50, 150));
    }
  },

  /** HELO, then MAIL/RCPT/DATA in one write although PIPELINING was never offered. */
  async 'pipelining-spammer'(ctx) {
    for (let round = 0; round < ctx.scenario.rounds; round += 1) {
      await ctx.session(ctx.scenario.ports[0], async (session) => {
        await session.readReply();
        session.sendBurst([
          'HELO mailer.bulk-sender.example',
          'MAIL FROM:<promo@bulk-sender.example>',
          'RCPT TO:<info@example.test>',
          'DATA',
        ]);
        const codes = [];
        for (let reply = 0; reply < 4; reply += 1) {
          const { code } = await session.readReply(5000);
          if (reply === 0) session.event('improper-pipelining');
          codes.push(code);
          if (code === 0) break;
        }
        // A QUIT now would be message text (DATA was accepted); the bot just hangs up.
        await session.drop();
        return `replies-${codes.join(',')}`;
      });
      await ctx.sleep(ctx.jitter(200, 600));
    }
  },

  /**
   * A mail client: EHLO, AUTH (every other customer mistypes once first), send one message.
   * In the follow-up (after the attacks) every customer logs in at once and sends.
   */
  async customer(ctx) {
    const accounts = ['customer@example.test', 'alice@example.test', 'bob@example.test'];
    const account = findAccount(accounts[ctx.index % accounts.length]);
    const helos = ['DESKTOP-4F2K9QX', ctx.heloLiteral(), 'laptop.customer.example', 'MacBook-Pro.local'];
    const hasTypo = !ctx.followUp && ctx.index % 2 === 1;
    await ctx.session(ctx.scenario.ports[0], async (session) => {
      await session.readReply();
      await session.command(`EHLO ${helos[ctx.index % helos.length]}`);
      if (hasTypo) await authPlain(session, account.user, `${account.password}x`);
      const useLogin = ctx.index % 3 === 0;
      const auth = useLogin
        ? await authLogin(session, account.user, account.password)
        : await authPlain(session, account.user, account.password);
      if (auth.code !== 235) {
        await session.quit();
        return `auth-reply-${auth.code}`;
      }
      const to = account.user === 'bob@example.test' ? 'alice@example.test' : 'bob@example.test';
      const outcome = await sendMessage(session, { from: account.user, to, subject: 'Quarterly figures' });
      await session.quit();
      return hasTypo ? `${outcome}-after-typo` : outcome;
    });
  },

  /**
   * Issue 11 point 4: the owner of the sprayed mailbox (info@), on an address of its own, once the
   * spray is under way (`during`: its scenario has seen `spraySeen` failures). Client 0 mistypes,
   * then logs in 4 s later in the same session; clients 1 and 2 mistype in two sessions (18 s apart
   * for client 1; 5 s apart for client 2: two quick tries, then 31 s to find the password) and log
   * in 36 s after their first failure. All send a message once logged in. Held spray bans end 45 s
   * after a member's first failure at the earliest, so each login comes about 8 s before its
   * deadline: a slow run or a whole-second log stamp cannot decide the outcome.
   */
  async 'sprayed-customer'(ctx) {
    const SECOND_MISTYPE_AFTER_MS = [null, 18000, 5000];
    const account = findAccount('info@example.test');
    const port = ctx.scenario.ports[0];
    const send = async (session) => {
      const auth = await authPlain(session, account.user, account.password);
      const outcome = auth.code === 235 ? await sendMessage(session, { from: account.user, to: 'bob@example.test', subject: 'Re: invoice' }) : `auth-reply-${auth.code}`;
      await session.quit();
      return outcome;
    };
    const mistype = async (session) => {
      await session.readReply();
      await session.command(`EHLO ${ctx.heloLiteral()}`);
      await authPlain(session, account.user, `${account.password}-typo`);
    };
    if (ctx.followUp) {
      await ctx.session(port, async (session) => {
        await session.readReply();
        await session.command(`EHLO ${ctx.heloLiteral()}`);
        return send(session);
      });
      return;
    }
    await ctx.waitForFailures(ctx.scenario.during, ctx.scenario.spraySeen);
    if (ctx.index === 0) {
      await ctx.session(port, async (session) => {
        await mistype(session);
        await sleep(4000);
        return `${await send(session)}-after-typo`;
      });
      return;
    }
    const firstFailure = Date.now();
    for (const waitMs of [0, SECOND_MISTYPE_AFTER_MS[ctx.index]]) {
      await sleep(waitMs);
      await ctx.session(port, async (session) => {
        await mistype(session);
        await session.quit();
        return 'mistyped-then-left';
      });
    }
    await sleep(Math.max(0, firstFailure + 36000 - Date.now()));
    await ctx.session(port, async (session) => {
      await session.readReply();
      await session.command(`EHLO ${ctx.heloLiteral()}`);
      return send(session);
    });
  },

  /**
   * A partner MTA: FQDN EHLO, one unknown recipient for the first partner, one real delivery.
   * In the follow-up it delivers once on every port of its scenario.
   */
  async 'legit-mta'(ctx) {
    const { ports } = ctx.scenario;
    const used = ctx.followUp ? ports : [ports[ctx.index % ports.length]];
    for (const port of used) await deliverAsPartner(ctx, port);
  },
};

function deliverAsPartner(ctx, port) {
  return ctx.session(port, async (session) => {
    await session.readReply(15000);
    await session.command(`EHLO mta${ctx.index + 1}.partner.example`);
    if (ctx.scenario.startTls) {
      await session.startTls();
      await session.command(`EHLO mta${ctx.index + 1}.partner.example`);
    }
    if (ctx.index === 0 && !ctx.followUp) {
      // A mistyped recipient is an ordinary, legitimate rejection.
      await session.command('MAIL FROM:<newsletter@partner.example>');
      const rcpt = await session.command('RCPT TO:<no-such-user@example.test>');
      if (rcpt.code >= 500) session.event('rcpt-reject');
      await session.command('RSET');
    }
    const outcome = await sendMessage(session, {
      from: 'newsletter@partner.example',
      to: 'alice@example.test',
      subject: 'Partner newsletter',
    });
    await session.quit();
    return outcome;
  });
}

// Dovecot's IMAP/POP3 clients (and the SMTP AUTH both Postfix and Dovecot log) live beside, and
// the clients of the +all Exim (issue 11 point 1).
const { dovecotBehaviours } = require('./dovecot-behaviours');
const { eximAllBehaviours } = require('./exim-all-behaviours');

module.exports = { behaviours: { ...behaviours, ...dovecotBehaviours, ...eximAllBehaviours }, sleep };
