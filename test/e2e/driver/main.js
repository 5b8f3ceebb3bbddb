#!/usr/bin/env node
'use strict';
// Traffic driver for the e2e environment. Runs inside the client namespace:
//   ip netns exec NS node test/e2e/driver/main.js run [--only id,id] [--concurrency N] [--out FILE]
//        [--watch-port P]     time every attacker's ban by polling closed port P (ban-watch.js)
//        [--legitimate]       only the legitimate scenarios
//        [--follow-up]        the after-the-attack variant (customers log in at once, partners
//                             deliver on every port)
//   ip netns exec NS node test/e2e/driver/main.js probe --ports 25,587 [--timeout-ms N]
//        [--concurrency N] [--addresses a,b | --scenarios id,id | --all]
// Helpers for setup.sh and collect-logs.sh (no network):
//   main.js addresses | accounts | env-vars | scenario-map [--summary FILE]
//   main.js check-addresses FILE...   (exit 1 if a log names a non-documentation address)
const fs = require('node:fs');
const { buildScenarios, allClientAddresses, eximAclHosts, ESCALATION_PREFIXES } = require('./plan');
const { ACCOUNTS } = require('./accounts');
const { SERVER, PORTS } = require('./topology');
const { runScenarios } = require('./run-scenarios');
const { probe } = require('./probe');
const { findForeignAddresses } = require('./check-log-addresses');

function parseOptions(argv) {
  const options = {};
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument: ${arg}`);
    const name = arg.slice(2);
    const value = argv[index + 1] !== undefined && !argv[index + 1].startsWith('--') ? argv[++index] : true;
    options[name] = value;
  }
  return options;
}

const list = (value) => String(value).split(',').map((item) => item.trim()).filter(Boolean);

function selectScenarios(ids, { legitimate = false } = {}) {
  const scenarios = buildScenarios().filter((scenario) => !legitimate || scenario.legitimate);
  if (!ids) return scenarios;
  const wanted = list(ids);
  const unknown = wanted.filter((id) => !scenarios.some((scenario) => scenario.id === id));
  if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')}`);
  return scenarios.filter((scenario) => wanted.includes(scenario.id));
}

function printJson(value, outFile) {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (outFile && outFile !== true) fs.writeFileSync(outFile, text);
  process.stdout.write(text);
}

function countEvents(attempts) {
  const counts = {};
  for (const attempt of attempts) {
    for (const name of attempt.events || []) counts[name] = (counts[name] || 0) + 1;
  }
  return counts;
}

/** address -> what it did, from the plan and (when given) the outcomes of a real run. */
function buildScenarioMap(summary) {
  const scenarios = buildScenarios();
  const addresses = {};
  for (const scenario of scenarios) {
    const ran = summary && summary.scenarios.find((result) => result.id === scenario.id);
    for (const address of scenario.addresses) {
      const attempts = ran ? ran.attempts.filter((attempt) => attempt.address === address) : [];
      addresses[address] = {
        scenario: scenario.id,
        mta: scenario.mta,
        kind: scenario.kind,
        legitimate: scenario.legitimate,
        expectBan: scenario.expect.ban,
        reasons: scenario.expect.reasons,
        ...(ran ? {
          outcomes: attempts.map((attempt) => `${attempt.port}:${attempt.outcome}`),
          events: countEvents(attempts),
        } : {}),
      };
    }
  }
  return {
    server: SERVER,
    ports: PORTS,
    ...(summary ? { ranFrom: summary.startedAt, ranUntil: summary.endedAt } : {}),
    escalationPrefixes: ESCALATION_PREFIXES,
    scenarios: scenarios.map(({ id, mta, kind, legitimate, ports, rounds, expect, addresses: used }) => ({
      id, mta, kind, legitimate, ports, rounds, expect, addressCount: used.length,
    })),
    addresses,
  };
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'check-addresses') {
    let bad = 0;
    for (const file of rest) {
      for (const { line, address } of findForeignAddresses(fs.readFileSync(file, 'utf8'))) {
        process.stderr.write(`${file}:${line}: ${address} is not a documentation address\n`);
        bad += 1;
      }
    }
    process.exitCode = bad ? 1 : 0;
    return;
  }
  const options = parseOptions(rest);
  switch (command) {
    case 'run': {
      const summary = await runScenarios(selectScenarios(options.only, { legitimate: options.legitimate === true }), {
        concurrency: Number(options.concurrency || 20),
        watchPort: options['watch-port'] ? Number(options['watch-port']) : null,
        followUp: options['follow-up'] === true,
      });
      printJson(summary, options.out);
      return;
    }
    case 'probe': {
      if (!options.ports) throw new Error('probe needs --ports');
      let addresses;
      if (options.addresses) addresses = list(options.addresses);
      else if (options.scenarios) addresses = allClientAddresses(selectScenarios(options.scenarios));
      else if (options.all) addresses = allClientAddresses();
      else throw new Error('probe needs --addresses, --scenarios or --all');
      const results = await probe(addresses, list(options.ports).map(Number), {
        timeoutMs: Number(options['timeout-ms'] || 2000),
        concurrency: Number(options.concurrency || 50),
      });
      printJson({ probedAt: new Date().toISOString(), results }, options.out);
      return;
    }
    case 'addresses':
      process.stdout.write(`${allClientAddresses().join('\n')}\n`);
      return;
    case 'accounts':
      for (const account of ACCOUNTS) {
        process.stdout.write(`${account.user} ${account.password} ${account.mailbox}\n`);
      }
      return;
    case 'env-vars': {
      const vars = {
        SERVER_V4: SERVER.v4,
        SERVER_V6: SERVER.v6,
        SERVER_V4_ALIASES: SERVER.v4Aliases.join(' '),
        SERVER_V4_ROUTES: SERVER.v4Routes.join(' '),
        V4_PREFIX: SERVER.v4PrefixLength,
        V6_PREFIX: SERVER.v6PrefixLength,
        POSTFIX_SMTP_PORT: PORTS.postfixSmtp,
        POSTFIX_POSTSCREEN_PORT: PORTS.postfixPostscreen,
        POSTFIX_SUBMISSION_PORT: PORTS.postfixSubmission,
        EXIM_MX_PORT: PORTS.eximSmtp,
        EXIM_SUBMISSION_PORT: PORTS.eximSubmission,
        EXIM_ALL_MX_PORT: PORTS.eximAllSmtp,
        EXIM_ALL_SUBMISSION_PORT: PORTS.eximAllSubmission,
        EXIM_JUNK_HOSTS: eximAclHosts('junk'),
        EXIM_SVERIFY_HOSTS: eximAclHosts('sender-verify'),
        EXIM_DROP_HOSTS: eximAclHosts('drop'),
        DOVECOT_IMAP_PORT: PORTS.dovecotImap,
        DOVECOT_POP3_PORT: PORTS.dovecotPop3,
      };
      for (const [name, value] of Object.entries(vars)) process.stdout.write(`${name}='${value}'\n`);
      return;
    }
    case 'scenario-map': {
      const summary = options.summary ? JSON.parse(fs.readFileSync(options.summary, 'utf8')) : null;
      printJson(buildScenarioMap(summary), options.out);
      return;
    }
    default:
      throw new Error(`unknown command: ${command || '(none)'}; see the header of ${__filename}`);
  }
}

main().catch((error) => {
  process.stderr.write(`driver: ${error.message}\n`);
  process.exitCode = 1;
});
