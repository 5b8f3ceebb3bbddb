'use strict';
// What IMAP and POP3 clients of Dovecot do (issue 12), one async function per scenario kind, as
// in behaviours.js. Dovecot logs one summary per connection when it ends, so the client records
// what the server will log once the connection is over: `login-failed` (one per connection with
// failed attempts and no login), `no-login`, `bad-commands`, `sasl-unfinished`, `auth-success`.
// A typo followed by a good password on the same connection leaves only the login in the log.
const { findAccount } = require('./accounts');
const { PORTS } = require('./topology');

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');
const GUESSES = ['123456', 'password', 'qwerty', 'letmein', 'admin123', 'Summer2026', 'welcome1', '111111', 'abc123'];
/** The mailbox the Dovecot sprayers guess at: the SMTP sprayers' too, so it is one spray per server. */
const SPRAYED = 'info@example.test';

const protocolFor = (index) => (index % 2 === 0 ? 'imap' : 'pop3');
const portFor = (protocol) => (protocol === 'imap' ? PORTS.dovecotImap : PORTS.dovecotPop3);

/** One LOGIN (IMAP) or USER/PASS (POP3); true when the server let the client in. */
async function login(session, protocol, user, password) {
  if (protocol === 'imap') return (await session.imap(`LOGIN "${user}" "${password}"`)).code === 200;
  const named = await session.command(`USER ${user}`);
  if (named.code !== 200) return false;
  return (await session.command(`PASS ${password}`)).code === 200;
}

/** One connection: greeting, `guesses` wrong passwords, then the right one if given, then out. */
function visit(ctx, protocol, user, guesses, password = null) {
  return ctx.session(portFor(protocol), async (session) => {
    await session.readReply();
    let failed = 0;
    for (const guess of guesses) if (!(await login(session, protocol, user, guess))) failed += 1;
    const inside = password !== null && (await login(session, protocol, user, password));
    if (inside) await (protocol === 'imap' ? session.imap('SELECT INBOX') : session.command('STAT'));
    await session.quit();
    // Dovecot writes the connection's summary now that it is over (unless a ban cut it off: then
    // only when its login timeout runs out, maybe after the logs were collected).
    if (session.aborted) return 'cut-off';
    if (inside) session.event('auth-success');
    else if (failed > 0) session.event('login-failed');
    if (inside) return failed ? `logged-in-after-${failed}-typos` : 'logged-in';
    if (ctx.scenario.legitimate) return 'mistyped-then-left'; // a customer's own typo connection
    return failed === guesses.length ? `login-failed-${failed}` : `login-replies-unexpected`;
  }, protocol);
}

const dovecotBehaviours = {
  /** Three connections of three guesses each at admin@ (IMAP or POP3 by address). */
  async 'mailbox-bruteforce'(ctx) {
    const protocol = protocolFor(ctx.index);
    for (let round = 0; round < ctx.scenario.rounds; round += 1) {
      await visit(ctx, protocol, 'admin@example.test', GUESSES.slice(round * 3, round * 3 + 3));
      await ctx.sleep(ctx.jitter(100, 300));
    }
  },

  /** One connection per address, one or two guesses at the sprayed mailbox. */
  async 'mailbox-spray'(ctx) {
    const guesses = ctx.index % 3 === 0 ? [`Spring2026!${ctx.index}`, `Winter2026!${ctx.index}`] : [`Spring2026!${ctx.index}`];
    await visit(ctx, protocolFor(ctx.index), SPRAYED, guesses);
  },

  /** Connects, asks for nothing or the capabilities, leaves: again and again. */
  async 'mailbox-scanner'(ctx) {
    const protocol = protocolFor(ctx.index);
    for (let round = 0; round < ctx.scenario.rounds; round += 1) {
      await ctx.session(portFor(protocol), async (session) => {
        await session.readReply();
        if (protocol === 'imap') await session.imap('CAPABILITY');
        await session.quit();
        if (session.aborted) return 'cut-off'; // logged only when Dovecot's login timeout ends
        session.event('no-login');
        return 'left-without-login';
      }, protocol);
      await ctx.sleep(ctx.jitter(50, 150));
    }
  },

  /** Malformed SASL (bad base64, an abandoned exchange) and garbage instead of commands. */
  async 'mailbox-malformed'(ctx) {
    for (let round = 0; round < ctx.scenario.rounds; round += 1) {
      const kind = (ctx.index + round) % 3;
      const protocol = kind === 2 ? 'pop3' : 'imap';
      await ctx.session(portFor(protocol), async (session) => {
        await session.readReply();
        if (kind === 0) {
          await session.imap('AUTHENTICATE PLAIN');
          await session.command('!!!this-is-not-base64!!!');
          await session.drop();
          session.event('sasl-unfinished');
          return 'bad-base64';
        }
        if (kind === 1) {
          for (let junk = 0; junk < 12 && !session.closed; junk += 1) await session.command(`GET /${junk} HTTP/1.1`, 3000);
          await session.drop();
          session.event('bad-commands');
          return 'junk-commands';
        }
        await session.command('AUTH PLAIN');
        await session.command('*');
        await session.drop();
        session.event('sasl-unfinished');
        return 'sasl-cancelled';
      }, protocol);
      await ctx.sleep(ctx.jitter(100, 300));
    }
  },

  /**
   * A mail client reading its mailbox. Some mistype once or twice before the right password on
   * the same connection (some as the sprayed user), some mistype on a connection of its own and
   * come back. In the follow-up every customer just logs in.
   */
  async 'mailbox-customer'(ctx) {
    const protocol = protocolFor(ctx.index);
    const accounts = ['customer@example.test', SPRAYED, 'bob@example.test', SPRAYED];
    const account = findAccount(accounts[ctx.index % accounts.length]);
    const typo = `${account.password}x`;
    const mode = ctx.followUp ? 0 : ctx.index % 4;
    if (mode === 3) {
      const own = findAccount(ctx.index % 8 === 3 ? 'bob@example.test' : 'customer@example.test');
      await visit(ctx, protocol, own.user, [`${own.password}x`]);
      return visit(ctx, protocol, own.user, [], own.password);
    }
    return visit(ctx, protocol, account.user, Array(mode).fill(typo), account.password);
  },

  /** One address, a whole office behind it: a dozen people log in, three mistype on their own connection. */
  async 'mailbox-nat-office'(ctx) {
    const people = ['customer@example.test', 'bob@example.test', 'alice@example.test'];
    const visits = ctx.followUp ? 2 : 12;
    for (let person = 0; person < visits; person += 1) {
      const account = findAccount(people[person % people.length]);
      const protocol = protocolFor(person);
      if (!ctx.followUp && person % 4 === 3) await visit(ctx, protocol, account.user, [`${account.password}x`]);
      await visit(ctx, protocol, account.user, [], account.password);
    }
  },
};

module.exports = { dovecotBehaviours };

/**
 * One failed SMTP AUTH on Postfix's submission port, which asks Dovecot: Postfix logs it, and so
 * does Dovecot's auth process (auth_verbose = yes). mailjail must count it once.
 */
dovecotBehaviours['smtp-auth-once'] = (ctx) => ctx.session(ctx.scenario.ports[0], async (session) => {
  await session.readReply();
  await session.command('EHLO desktop.customer.example');
  const account = findAccount('bob@example.test');
  const reply = await session.command(`AUTH PLAIN ${b64(`\0${account.user}\0${account.password}-wrong`)}`);
  if (reply.code === 535) session.event('auth-failure');
  await session.quit();
  return reply.code === 535 ? 'auth-failed-once' : `auth-reply-${reply.code}`;
});
