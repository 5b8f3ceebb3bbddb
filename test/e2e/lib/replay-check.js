'use strict';
// Issue 5: `mailjail replay` (the same function the CLI calls, from the build) over the mixed logs
// real Postfix and Exim wrote: every attacker banned, no legitimate client banned. The replay is
// told the server's own addresses, as the daemon in the namespace knew them.
const path = require('node:path');
const { ROOT } = require('./mailjail-daemon');
const { judgeAttacker, countBy, formatCounts } = require('./assess');
const { contains } = require('./cidr');

function replayLogs(files, own) {
  const { loadConfig } = require(path.join(ROOT, 'dist', 'config', 'load-config.js'));
  const { replay } = require(path.join(ROOT, 'dist', 'daemon', 'replay.js'));
  const bans = [];
  const summary = replay(loadConfig(null), { jails: ['postfix', 'exim', 'dovecot'], files, own }, (ban) => bans.push(ban));
  return { bans, summary };
}

/** Checks and table rows for a replay of `files` against the plan in `scenarios`. */
function assessReplay(checks, label, { scenarios, files, own }) {
  const { bans, summary } = replayLogs(files, own);
  const rows = [];
  for (const scenario of scenarios) {
    if (scenario.legitimate || !scenario.expect.ban) {
      const covered = scenario.addresses.filter((a) => bans.some((ban) => contains(ban.ip, a)));
      checks.check(`${label}: ${scenario.id}: replay bans no legitimate client`, covered.length === 0, covered.join(', '));
      rows.push({ scenario: scenario.id, mta: scenario.mta, addresses: scenario.addresses.length, legitimate: true, banned: covered.length });
      continue;
    }
    const judged = scenario.addresses.map((address) => ({ address, ...judgeAttacker(address, scenario, bans) }));
    const bad = judged.filter((j) => !j.ok);
    checks.check(`${label}: ${scenario.id}: replay bans every attacker for ${scenario.expect.reasons.join('/')} (or its allowed subnet)`,
      bad.length === 0, bad.map((j) => `${j.address}: ${j.reason}`).join('; '));
    rows.push({
      scenario: scenario.id, mta: scenario.mta, addresses: scenario.addresses.length, legitimate: false,
      banned: judged.length - bad.length, reasons: formatCounts(countBy(judged, (j) => j.reason)),
    });
  }
  return { rows, summary, bans };
}

function replayTable(rows, summary) {
  const lines = [
    '| scenario | MTA | addresses | banned by replay | ban reason (count) |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    lines.push(row.legitimate
      ? `| ${row.scenario} | ${row.mta} | ${row.addresses} | ${row.banned} (legitimate: none expected) | - |`
      : `| ${row.scenario} | ${row.mta} | ${row.addresses} | ${row.banned} / ${row.addresses} | ${row.reasons} |`);
  }
  const events = formatCounts(summary.failures);
  lines.push('', `${summary.lines} log lines; events: ${events}; ${summary.bans} bans.`);
  return lines.join('\n');
}

module.exports = { replayLogs, assessReplay, replayTable };
