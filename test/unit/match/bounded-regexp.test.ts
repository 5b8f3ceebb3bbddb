/**
 * Issue 17 point 5: a regex that backtracks exponentially froze the daemon on one 413-byte Exim
 * line. Every filter regex must now run in bounded time: the shipped Exim rule is rewritten, a
 * user regex V8's linear engine cannot take is refused at load, and one it can take is finished
 * by that engine however it backtracks. The hostile lines run in a worker that is terminated after
 * a deadline, so the old code fails these tests instead of hanging them.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { MailjailError } from '../../../src/core/errors';
import { loadFilterFile } from '../../../src/config/load-filter';
import { foldCase } from '../../../src/match/bounded-regexp';
import { compileFilter } from '../../../src/match/compile-filter';
import type { FilterDef } from '../../../src/match/filter-schema';
import { Matcher } from '../../../src/match/matcher';

const exim = loadFilterFile(join(__dirname, '..', '..', '..', 'filters', 'exim.yaml'));
const head = '2026-11-23 21:19:53 [716] 1xVbS5-0000BY-2v ';
const prefixed = (rest: string) => head + rest;

/** Runs `re` on `text` from `at` in a worker; 'done' or 'timeout' after `deadlineMs`. */
function execInWorker(re: RegExp, text: string, at: number, deadlineMs = 15_000): Promise<'done' | 'timeout'> {
  const code = `const { parentPort, workerData: w } = require('node:worker_threads');
    const re = new RegExp(w.source, w.flags); re.lastIndex = w.at; re.exec(w.text); parentPort.postMessage('done');`;
  const worker = new Worker(code, { eval: true, workerData: { source: re.source, flags: re.flags, text, at } });
  return new Promise((resolve) => {
    const timer = setTimeout(() => void worker.terminate().then(() => resolve('timeout')), deadlineMs);
    worker.once('message', () => {
      clearTimeout(timer);
      void worker.terminate().then(() => resolve('done'));
    });
  });
}

function problemsOf(regex: string, extra: Partial<FilterDef['rules'][number]> = {}): string[] {
  const def: FilterDef = { prefix: '<TIME> ', rules: [{ id: 'mine', event: 'scanner', keywords: ['from'], regex, ...extra }] };
  try {
    compileFilter('mine', def, '/etc/mailjail/filters/mine.yaml', () => 12);
    return [];
  } catch (e) {
    return (e as MailjailError).problems;
  }
}

describe('bounded matching', () => {
  // 413 bytes: P=esmtpa, 45 quoted DN= tokens, then an A= that is not `name:id`, so the rule fails
  // at the very end and a backtracking engine tries every way to split the tokens.
  const hostile = prefixed(`<= bot@example.test H=(x) [192.0.2.7]:4000 P=esmtpa${' DN="x"'.repeat(45)} A=x`);

  test('the 413-byte hostile Exim line is matched promptly and yields nothing', async () => {
    expect(hostile.length).toBe(413);
    const rule = exim.rules.find((r) => r.id === 'auth-accepted');
    expect(rule).toBeDefined();
    const at = (exim.prefix.exec(hostile) as RegExpExecArray)[0].length;
    await expect(execInWorker((rule as { re: RegExp }).re, hostile, at)).resolves.toBe('done');
    expect(new Matcher([exim]).match({ source: 's', line: 1, text: hostile }, Date.now())).toBeNull();
  });

  test('the rewritten Exim rule still reads a login among X=, CV= and a quoted DN with spaces', () => {
    const line = prefixed('<= a@example.test H=(pc) [192.0.2.8]:4001 I=[192.0.2.1]:587 P=esmtpsa X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes DN="C=DE, O=Example, CN=pc" A=dovecot_plain:alice S=100 id=1@pc');
    const f = new Matcher([exim]).match({ source: 's', line: 1, text: line }, Date.now());
    expect(f).toMatchObject({ ip: '192.0.2.8', event: 'auth-success', user: 'alice' });
  });

  test('a user filter whose regex V8 cannot run in linear time is refused at load with file, line and field', () => {
    const problems = problemsOf('from \\[<HOST>\\](?:(?!x)\\S+ ?)*$');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^\/etc\/mailjail\/filters\/mine\.yaml:12: rules\.0\.regex: could take unbounded time/);
    expect(problemsOf('(a)\\1 from \\[<HOST>\\]')[0]).toContain('backreferences');
    expect(problemsOf('x{1,40} from \\[<HOST>\\]')[0]).toContain('{16}');
  });

  test('a catastrophic user regex the linear engine can take is accepted and runs bounded', async () => {
    // (?:\S+)+ splits a word every possible way: 2^n tries on a backtracking engine when `;` is missing.
    const regex = 'from \\[<HOST>\\] (?:(?:\\S+)+ ?)*;$';
    expect(problemsOf(regex)).toEqual([]);
    const mine = compileFilter('mine', { prefix: '<TIME> ', rules: [{ id: 'mine', event: 'scanner', keywords: ['from'], regex }] });
    const text = `2026-11-23 21:19:53 from [192.0.2.9] ${'a'.repeat(60)}`;
    await expect(execInWorker(mine.rules[0].re, text, 20)).resolves.toBe('done');
  });

  test('case-insensitive rules are folded into classes, which the linear engine takes', () => {
    expect(foldCase('<<< (?<helo>[a-f\\d]+) Q\\x41{2}\\p{L}[^A-Z]')).toBe('<<< (?<helo>[a-f\\dA-F]+) [Qq]\\x41{2}\\p{L}[^A-Za-z]');
    expect(problemsOf('<<< QUIT from \\[<HOST>\\]', { ignoreCase: true })).toEqual([]);
    const f = compileFilter('mine', { prefix: '<TIME> ', rules: [{ id: 'mine', event: 'scanner', keywords: ['<<<'], regex: '<<< QUIT from \\[<HOST>\\]', ignoreCase: true }] });
    expect(new Matcher([f]).match({ source: 's', line: 1, text: '2026-11-23 21:19:53 <<< quit from [192.0.2.9]' }, Date.now())).toMatchObject({ ip: '192.0.2.9' });
  });

  test('a line whose matching overruns its budget is skipped and reported, and the next line is read', () => {
    let now = 0;
    const skipped: string[] = [];
    const m = new Matcher([exim], {
      clock: () => (now += 150), // every look at the clock: 150 ms later
      lineBudgetMs: 100,
      onOverBudget: (ev, ms, rule) => skipped.push(`${ev.line}:${rule}:${ms}`),
    });
    const failed = prefixed('login authenticator failed for (x) [192.0.2.10]:4002: 535 Incorrect authentication data (set_id=bob)');
    expect(m.match({ source: 's', line: 7, text: failed }, Date.now())).toBeNull();
    expect(skipped).toEqual(['7:auth-failed:150']);
    const patient = new Matcher([exim], { clock: () => 0, onOverBudget: () => skipped.push('never') });
    expect(patient.match({ source: 's', line: 8, text: failed }, Date.now())).toMatchObject({ ip: '192.0.2.10', event: 'auth-failure' });
    expect(skipped).toHaveLength(1);
  });

  test('a line whose wall time overran only because the process stalled is matched, not skipped', () => {
    // A loaded machine, a GC pause or SIGSTOP stops the clock of the CPU, not the wall's: before the
    // CPU check, 0-2 of 30,000 real lines were skipped under load (fleet flood, real-logs replay).
    let now = 0;
    let cpu = 0;
    const skipped: string[] = [];
    const failed = prefixed('login authenticator failed for (x) [192.0.2.11]:4002: 535 Incorrect authentication data (set_id=bob)');
    const stalled = new Matcher([exim], { clock: () => (now += 150), cpuClock: () => (cpu += 1), lineBudgetMs: 100, onOverBudget: (ev) => skipped.push(`${ev.line}`) });
    expect(stalled.match({ source: 's', line: 9, text: failed }, Date.now())).toMatchObject({ ip: '192.0.2.11', event: 'auth-failure' });
    const burning = new Matcher([exim], { clock: () => (now += 150), cpuClock: () => (cpu += 150), lineBudgetMs: 100, onOverBudget: (ev) => skipped.push(`${ev.line}`) });
    expect(burning.match({ source: 's', line: 10, text: failed }, Date.now())).toBeNull();
    expect(skipped).toEqual(['10']);
  });
});
