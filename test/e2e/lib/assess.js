'use strict';
// Judges one run against the plan: who is banned and why, who is dropped, who still delivers,
// whether `mailjail list` matches the kernel, and how long bans took. Pure: data in, checks and
// table rows out.
const { canonical, contains, offenderOf } = require('./cidr');
const { ESCALATION_PREFIXES } = require('../driver/plan');

const ESCALATIONS = ESCALATION_PREFIXES.map(canonical);

/** `spray:3f2a...` -> `spray`, `subnet:198.51.100.0/24` -> `subnet`. */
function reasonKind(reason) {
  return String(reason).split(':')[0];
}

/**
 * How `address` of `scenario` is banned in its MTA's jail: by a ban of its own offender (the
 * address, or its IPv6 /64) with one of the expected reasons, or by an allowed subnet escalation.
 */
function judgeAttacker(address, scenario, bans) {
  // Any jail: they share sprays per server (issue 12), and every jail's ban drops all ports.
  const mine = bans.filter((ban) => contains(ban.ip, address));
  const own = mine.find((ban) => canonical(ban.ip) === offenderOf(address));
  const subnet = mine.find((ban) => ban.reason === `subnet:${ban.ip}` && ESCALATIONS.includes(canonical(ban.ip)));
  if (own) {
    const ok = scenario.expect.reasons.includes(reasonKind(own.reason));
    return { ok, how: 'own', reason: reasonKind(own.reason), ban: own };
  }
  if (subnet) return { ok: true, how: 'subnet', reason: `subnet:${subnet.ip}`, ban: subnet };
  const other = mine[0];
  return { ok: false, how: other ? 'other' : 'none', reason: other ? other.reason : 'not banned', ban: other || null };
}

function countBy(items, key) {
  const counts = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] || 0) + 1;
  return counts;
}

function formatCounts(counts) {
  return Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} ${n}`).join(', ');
}

function median(values) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : Math.round((sorted[middle - 1] + sorted[middle]) / 2);
}

function formatMs(ms) {
  if (ms === null || ms === undefined) return '-';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Compares `mailjail list --json` with the kernel, per jail. Every kernel element must be a listed
 * ban; every listed ban must be in the kernel, or be a prefix inside a wider listed prefix that is
 * (an nftables interval set cannot hold both; see src/enforce/interval-overlaps.ts).
 */
function compareListWithKernel(bans, kernel) {
  const problems = [];
  let coveredOnly = 0;
  const jails = new Set([...bans.map((ban) => ban.jail), ...kernel.keys()]);
  for (const jail of jails) {
    const listed = new Set(bans.filter((ban) => ban.jail === jail).map((ban) => canonical(ban.ip)));
    const held = kernel.get(jail) || new Set();
    for (const element of held) if (!listed.has(element)) problems.push(`${jail}: kernel holds ${element}, list does not`);
    for (const ban of listed) {
      if (held.has(ban)) continue;
      const wider = [...held].find((element) => element !== ban && contains(element, ban) && listed.has(element));
      if (wider && !ban.endsWith('/32') && !ban.endsWith('/128')) coveredOnly += 1;
      else problems.push(`${jail}: list has ${ban}, kernel does not`);
    }
  }
  return { problems, coveredOnly };
}

/**
 * All checks of one action's run. `data`: { action, summary (driver run), bans, kernel,
 * probe (results), followUp (driver run of the legitimate scenarios), server (addresses) }.
 * Returns table rows, one per scenario.
 */
/** Checks each address's auth-failure strikes (`why --json`) against `expect.strikes` (a number, or one per address). */
function checkStrikes(checks, title, scenario, strikesOf) {
  const expected = (index) => (Array.isArray(scenario.expect.strikes) ? scenario.expect.strikes[index] : scenario.expect.strikes);
  const counts = scenario.addresses.map((address, index) => ({ address, index, n: (strikesOf.get(address) || []).filter((s) => s.event === 'auth-failure').length }));
  const wrong = counts.filter((c) => c.n !== expected(c.index));
  checks.check(title, wrong.length === 0,
    counts.map((c) => `${c.address}: ${c.n} auth-failure strike(s) (${(strikesOf.get(c.address) || []).map((s) => `${s.jail} ${s.rule}${s.forgiven ? ' forgiven' : ''}`).join(', ')})`).join('; '));
  return counts;
}

function assessRun(checks, data) {
  const { action, summary, bans, probe, followUp } = data;
  const rows = [];
  const probesOf = new Map();
  for (const result of probe) {
    if (!probesOf.has(result.address)) probesOf.set(result.address, []);
    probesOf.get(result.address).push(result);
  }
  const followUpOf = new Map();
  for (const scenario of followUp.scenarios) {
    for (const attempt of scenario.attempts) {
      if (!followUpOf.has(attempt.address)) followUpOf.set(attempt.address, []);
      followUpOf.get(attempt.address).push(attempt);
    }
  }
  const legitimate = summary.scenarios.filter((s) => s.legitimate).flatMap((s) => s.addresses);

  for (const scenario of summary.scenarios) {
    const name = `${action}: ${scenario.id}`;
    const { addresses } = scenario;
    const row = { scenario: scenario.id, mta: scenario.mta, addresses: addresses.length, legitimate: scenario.legitimate };
    const dropped = addresses.filter((address) => (probesOf.get(address) || []).every((p) => p.result === 'timeout'));
    const connected = addresses.filter((address) => (probesOf.get(address) || []).every((p) => p.result === 'connected'));
    if (!scenario.legitimate && !scenario.expect.ban) {
      // A client that failed once and left (issue 12): not banned, and counted exactly once.
      const covering = addresses.filter((address) => bans.some((ban) => contains(ban.ip, address)));
      checks.check(`${name}: no ban covers it`, covering.length === 0, covering.join(', '));
      const counts = checkStrikes(checks, `${name}: its failed AUTH, logged by Postfix and by Dovecot, is ${scenario.expect.strikes} strike`, scenario, data.strikesOf);
      Object.assign(row, { banned: covering.length, expected: 0, strikes: counts.map((c) => c.n).join(',') });
    } else if (!scenario.legitimate) {
      const judged = addresses.map((address) => ({ address, ...judgeAttacker(address, scenario, bans) }));
      const bad = judged.filter((j) => !j.ok);
      checks.check(`${name}: every attacker is banned for ${scenario.expect.reasons.join('/')} (or its allowed subnet)`,
        bad.length === 0, bad.map((j) => `${j.address}: ${j.reason}`).join('; ') || `${judged.length}/${judged.length}`);
      checks.check(`${name}: every attacker's next connection to every port is dropped`,
        dropped.length === addresses.length,
        addresses.filter((a) => !dropped.includes(a)).map((a) => `${a}: ${(probesOf.get(a) || []).map((p) => `${p.port}=${p.result}`).join(',')}`).join('; '));
      const watches = scenario.watches || [];
      const unseen = watches.filter((w) => w.dropAt === null);
      checks.check(`${name}: every attacker saw its connections dropped during the run`, unseen.length === 0,
        unseen.map((w) => w.address + (w.error ? ` (${w.error})` : '')).join(', '));
      const latencies = watches.map((w) => w.latencyMs).filter((ms) => ms !== null);
      Object.assign(row, {
        banned: judged.filter((j) => j.ok).length,
        expected: addresses.length,
        reasons: formatCounts(countBy(judged, (j) => j.reason)),
        dropped: dropped.length,
        latencyMedian: median(latencies),
        latencyMax: latencies.length ? Math.max(...latencies) : null,
        timed: latencies.length,
        preempted: watches.filter((w) => w.dropAt !== null && w.failureAt === null).length,
      });
    } else {
      if (scenario.expect.strikes !== undefined) {
        checkStrikes(checks, `${name}: every failed login was counted (${scenario.expect.strikes.join(', ')} strikes) and none banned`, scenario, data.strikesOf);
      }
      const covering = addresses.filter((address) => bans.some((ban) => contains(ban.ip, address)));
      checks.check(`${name}: no ban covers a legitimate client`, covering.length === 0,
        covering.map((a) => `${a}: ${bans.filter((b) => contains(b.ip, a)).map((b) => `${b.jail} ${b.ip} ${b.reason}`).join(', ')}`).join('; '));
      const runOutcomes = scenario.attempts.map((a) => a.outcome);
      // Mail clients deliver (SMTP) or log in and read (IMAP/POP3); a mailbox user may mistype on
      // a connection of its own and come back.
      const undelivered = scenario.attempts.filter((a) => !/^(?:delivered|logged-in|mistyped-then-left)/.test(a.outcome));
      checks.check(`${name}: every legitimate session during the attacks delivered its message`,
        undelivered.length === 0, undelivered.map((a) => `${a.address}:${a.port} ${a.outcome}`).join('; ') || formatCounts(countBy(runOutcomes, (o) => o)));
      const after = addresses.map((address) => ({ address, attempts: followUpOf.get(address) || [] }));
      const failedAfter = after.filter((f) => !f.attempts.length || f.attempts.some((a) => !/^(?:delivered|logged-in)$/.test(a.outcome)));
      checks.check(`${name}: after the bans every legitimate client connects and delivers again (250)`,
        failedAfter.length === 0, failedAfter.map((f) => `${f.address}: ${f.attempts.map((a) => `${a.port} ${a.outcome}`).join(',') || 'no attempt'}`).join('; '));
      checks.check(`${name}: every legitimate client still connects to every port`, connected.length === addresses.length,
        addresses.filter((a) => !connected.includes(a)).map((a) => `${a}: ${(probesOf.get(a) || []).map((p) => `${p.port}=${p.result}`).join(',')}`).join('; '));
      Object.assign(row, {
        banned: covering.length,
        expected: 0,
        delivered: addresses.length - failedAfter.length,
        connected: connected.length,
      });
    }
    rows.push(row);
  }

  // Nothing else is banned: every ban is an attacker's offender or an allowed escalation.
  const attackerOffenders = new Set(summary.scenarios.filter((s) => !s.legitimate)
    .flatMap((s) => s.addresses.map((a) => offenderOf(a))));
  const stray = bans.filter((ban) => !attackerOffenders.has(canonical(ban.ip)) && !ESCALATIONS.includes(canonical(ban.ip)));
  checks.check(`${action}: every ban is of an attacker or an allowed subnet`, stray.length === 0,
    stray.map((b) => `${b.jail} ${b.ip} ${b.reason}`).join('; '));
  const overServer = bans.filter((ban) => data.server.some((address) => contains(ban.ip, address)));
  checks.check(`${action}: no ban covers the server's own addresses (no escalation of 192.0.2.0/24)`, overServer.length === 0,
    overServer.map((b) => `${b.jail} ${b.ip}`).join('; '));
  const legitCovered = legitimate.filter((a) => bans.some((ban) => contains(ban.ip, a)));
  checks.check(`${action}: ${legitimate.length} legitimate clients, none banned`, legitCovered.length === 0, legitCovered.join(', '));
  return rows;
}

function resultsTable(action, rows) {
  const lines = [
    `| scenario (${action}) | MTA | addresses | banned / expected | ban reason (count) | dropped on every port | legitimate: delivered after the attacks | ban latency median / max |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    if (row.strikes !== undefined) {
      lines.push(`| ${row.scenario} | ${row.mta} | ${row.addresses} | ${row.banned} banned (none expected) | - | - | auth-failure strikes: ${row.strikes} (logged by Postfix and Dovecot) | - |`);
    } else if (row.legitimate) {
      lines.push(`| ${row.scenario} | ${row.mta} | ${row.addresses} | ${row.banned} banned (none expected) | - | 0 (${row.connected}/${row.addresses} connect) | ${row.delivered}/${row.addresses} | - |`);
    } else {
      const preempted = row.preempted ? ` (+${row.preempted} dropped before failing)` : '';
      lines.push(`| ${row.scenario} | ${row.mta} | ${row.addresses} | ${row.banned} / ${row.expected} | ${row.reasons} | ${row.dropped}/${row.addresses} | - | ${formatMs(row.latencyMedian)} / ${formatMs(row.latencyMax)}${preempted} |`);
    }
  }
  return lines.join('\n');
}

module.exports = { assessRun, compareListWithKernel, judgeAttacker, resultsTable, formatCounts, countBy, median, formatMs };
