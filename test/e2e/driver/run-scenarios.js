'use strict';
// Runs every (scenario, address) pair through a small worker pool so attacks and legitimate
// traffic interleave in the MTA logs as they do on a real server, then summarises what happened.
// With a watch port, every attacker's ban is timed (ban-watch.js); an attacker whose connection
// is dropped stops there, as its next attempts could only time out.
const { SmtpSession } = require('./smtp-session');
const { MailboxSession } = require('./mailbox-session');
const { behaviours, sleep } = require('./behaviours');
const { BanWatch } = require('./ban-watch');
const { serverAddressFor, isIpv6 } = require('./topology');

/** Long enough for a loaded MTA to accept, short enough that a dropped SYN is seen quickly. */
const CONNECT_TIMEOUT_MS = 1500;

/** Small seeded PRNG so a run picks the same guesses and order every time. */
function createRandom(seedText) {
  let seed = 2166136261;
  for (const char of seedText) seed = Math.imul(seed ^ char.charCodeAt(0), 16777619) >>> 0;
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let value = seed;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Failures each scenario's clients have seen so far in this run (scenario id -> count): a client
 * that must act during another scenario's attack (a customer caught in a spray) waits on it.
 */
function createProgress() {
  const counts = new Map();
  return {
    note: (scenarioId) => counts.set(scenarioId, (counts.get(scenarioId) || 0) + 1),
    /** Resolves with the count once it reaches `atLeast`, or after `timeoutMs` with what there is. */
    async waitFor(scenarioId, atLeast, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while ((counts.get(scenarioId) || 0) < atLeast && Date.now() < deadline) await sleep(100);
      return counts.get(scenarioId) || 0;
    },
  };
}

function createContext(scenario, address, index, attempts, { watch = null, followUp = false, progress = createProgress() } = {}) {
  const random = createRandom(`${scenario.id}/${address}`);
  const context = {
    scenario,
    address,
    index,
    followUp,
    dropped: false,
    pick: (list) => list[Math.floor(random() * list.length)],
    jitter: (minMs, maxMs) => Math.floor(minMs + random() * (maxMs - minMs)),
    heloLiteral: () => (isIpv6(address) ? `[IPv6:${address}]` : `[${address}]`),
    /**
     * Resolves once scenario `scenarioId`'s clients have seen `atLeast` failures in this run (or 120 s
     * passed: a slow machine takes long to get there, and a customer acting before the spray is
     * under way would test nothing).
     */
    waitForFailures: (scenarioId, atLeast, timeoutMs = 120000) => progress.waitFor(scenarioId, atLeast, timeoutMs),
    /** Waits between attempts, unless the attacker is already locked out. */
    sleep: (ms) => (context.dropped ? Promise.resolve() : sleep(ms)),
    current: null,
    /** The ban came: stop waiting on a connection whose packets are now dropped. */
    lockOut() {
      context.dropped = true;
      if (context.current) context.current.abort();
    },
    /**
     * One TCP connection = one attempt in the summary, whatever the behaviour does in it.
     * `protocol` 'imap' or 'pop3' speaks to Dovecot (MailboxSession), else SMTP.
     */
    async session(port, body, protocol = null) {
      if (context.dropped) return 'not-tried-dropped';
      const Session = protocol ? MailboxSession : SmtpSession;
      const session = new Session({
        protocol,
        localAddress: address,
        host: serverAddressFor(address),
        port,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        // The ban clock starts at the reply that revealed the failure, not when the session ends.
        onEvent: (name, at) => {
          if (name !== 'auth-success') progress.note(scenario.id);
          if (watch && name !== 'auth-success') watch.noteFailures([at]);
        },
      });
      context.current = session;
      if (watch) watch.start();
      const attempt = { address, port, startedAt: new Date().toISOString() };
      const connectAt = Date.now();
      try {
        await session.connect();
        attempt.outcome = await body(session);
        if (session.aborted) attempt.outcome += ' (cut off by the ban)';
      } catch (error) {
        if (/connect timeout/.test(error.message)) {
          attempt.outcome = 'dropped';
          context.dropped = true;
          if (watch) watch.noteDropped(connectAt);
        } else {
          attempt.outcome = `error: ${error.code || error.message}`;
        }
      } finally {
        context.current = null;
        await session.end();
        attempt.endedAt = new Date().toISOString();
        attempt.codes = session.codes;
        attempt.events = session.events;
        attempt.transcript = session.transcript;
        attempts.push(attempt);
      }
      return attempt.outcome;
    },
  };
  return context;
}

async function runPool(tasks, concurrency) {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next];
      next += 1;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
}

/**
 * Runs the scenarios and returns the JSON summary (per scenario: addresses, expectation, attempts,
 * and with `watchPort` the ban timings). `followUp` runs the behaviours' after-the-attack variant.
 */
async function runScenarios(scenarios, {
  concurrency = 20, seed = 'mailjail-e2e', watchPort = null, watchGraceMs = 100000, followUp = false,
} = {}) {
  const startedAt = new Date().toISOString();
  const results = scenarios.map((scenario) => ({
    id: scenario.id,
    mta: scenario.mta,
    kind: scenario.kind,
    legitimate: scenario.legitimate,
    ports: scenario.ports,
    expect: scenario.expect,
    addresses: scenario.addresses,
    attempts: [],
    watches: [],
  }));
  const tasks = [];
  const watches = [];
  const progress = createProgress();
  scenarios.forEach((scenario, scenarioIndex) => {
    scenario.addresses.forEach((address, index) => {
      let context = null;
      const watch = watchPort && scenario.expect.ban ? new BanWatch(address, watchPort, () => context.lockOut()) : null;
      if (watch) watches.push({ watch, result: results[scenarioIndex] });
      context = createContext(scenario, address, index, results[scenarioIndex].attempts, { watch, followUp, progress });
      tasks.push(() => behaviours[scenario.kind](context));
    });
  });
  const order = createRandom(seed);
  const shuffled = tasks.map((task) => ({ task, key: order() })).sort((a, b) => a.key - b.key);
  await runPool(shuffled.map(({ task }) => task), concurrency);
  const trafficEndedAt = new Date().toISOString();
  // Bans still due (a spray's last members, held 45 s after their first failure, or 20 s after
  // their latest, so that a customer caught in the spray can log in; a slow log) get a bounded
  // wait (at most 90 s held, plus room for a loaded machine): it ends as soon as every watched
  // attacker is dropped.
  const graceEnds = Date.now() + watchGraceMs;
  while (watches.some(({ watch }) => watch.running && watch.dropAt === null && !watch.error) && Date.now() < graceEnds) {
    await sleep(100);
  }
  await Promise.all(watches.map(({ watch }) => watch.stop()));
  for (const { watch, result } of watches) result.watches.push(watch.result());
  for (const result of results) {
    result.attempts.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }
  return { startedAt, trafficEndedAt, endedAt: new Date().toISOString(), scenarios: results };
}

module.exports = { runScenarios, createRandom };
