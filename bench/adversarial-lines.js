'use strict';
/**
 * Adversarial lines for the catastrophic-backtracking check: every shipped rule's own sample line
 * (taken from the annotated fixtures) with 64 KiB of a hostile filler spliced in: right after the
 * line's head, right after the rule's keyword, at the end, and at evenly spaced points between
 * (a filler inside a HELO or user name is what found a lazy `.*?\s*$` going quadratic).
 * The fillers are the characters and fragments the rules' quantifiers range over.
 * Plain CommonJS with its dependencies passed in, so jest (on src/) and the bench (on dist/) share it.
 */
const fs = require('node:fs');
const path = require('node:path');

const EVEN_CUTS = 6;

const FILLERS = [
  ' ', 'a', '1', '[', ']', '[1.2.3.4]', '1.', '1:', ':', '<', '>', '(', ')', '"', '\\', '=',
  'a=1 ', ' helo=<', ', sasl_username=', ' H=', 'from [', '<<< ', '; ', 'ffff:',
];

/** `filter/rule` -> the text of the first fixture line that rule matched. */
function samplesPerRule(fixturesDir, runCheck) {
  const samples = new Map();
  const files = [];
  for (const entry of fs.readdirSync(fixturesDir).sort()) {
    const p = path.join(fixturesDir, entry);
    if (fs.statSync(p).isDirectory()) {
      for (const f of fs.readdirSync(p).sort()) if (f.endsWith('.log')) files.push({ file: path.join(p, f), filter: entry });
    } else if (entry.endsWith('.log') && !entry.startsWith('real-')) files.push({ file: p, filter: entry.replace(/[-.].*$/, '') });
  }
  for (const { file, filter } of files) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    let out = '';
    runCheck([file], { filter: [filter], json: true }, (s) => (out += s));
    for (const row of out.split('\n').filter(Boolean).map((l) => JSON.parse(l))) {
      const key = `${row.filter}/${row.rule}`;
      if (!samples.has(key)) samples.set(key, { filter: row.filter, rule: row.rule, text: lines[row.line - 1] });
    }
  }
  return samples;
}

/**
 * Hostile variants of one line: `filler` repeated to `size` bytes, spliced at each cut; plus the
 * line, the filler and one more character (a run that almost reaches the end is what makes a
 * lazy `.*?` before `\s*$` rescan it from every position).
 */
function adversarialLines(text, cuts, size) {
  const out = [];
  for (const filler of FILLERS) {
    const blob = filler.repeat(Math.ceil(size / filler.length)).slice(0, size);
    for (const cut of cuts) out.push(text.slice(0, cut) + blob + text.slice(cut));
    out.push(`${text}${blob}!`);
  }
  return out;
}

/**
 * Feeds every filter its adversarial lines (one Matcher per filter, fresh sessions) and times each
 * line. Returns the worst line and totals.
 */
function measureAdversarial({ Matcher, loadFilters, runCheck, fixturesDir, size = 65536 }) {
  const samples = samplesPerRule(fixturesDir, runCheck);
  const matchers = new Map(loadFilters([]).map((f) => [f.name, new Matcher([f])]));
  let worst = { ms: 0, rule: '', filler: '' };
  let lines = 0;
  let totalMs = 0;
  for (const { filter, rule, text } of samples.values()) {
    const matcher = matchers.get(filter);
    const compiled = matcher.filters[0];
    const head = compiled.prefix.exec(text);
    const headEnd = head ? head[0].length : 0;
    const kwEnds = compiled.rules
      .find((r) => r.id === rule)
      .keywords.filter((k) => text.includes(k))
      .map((k) => text.indexOf(k) + k.length);
    const spaced = Array.from({ length: EVEN_CUTS }, (_, i) => headEnd + Math.round(((text.length - headEnd) * (i + 1)) / (EVEN_CUTS + 1)));
    const cuts = [...new Set([headEnd, ...kwEnds, ...spaced, text.length])];
    const variants = adversarialLines(text, cuts, size);
    variants.forEach((built, i) => {
      // flatten the concatenation outside the timed part: the regex should pay for matching only
      const line = Buffer.from(built, 'utf8').toString('utf8');
      const t0 = process.hrtime.bigint();
      matcher.match({ source: 'adversarial', line: 1, text: line }, Date.UTC(2026, 0, 1));
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      totalMs += ms;
      lines++;
      if (ms > worst.ms) worst = { ms, rule: `${filter}/${rule}`, filler: JSON.stringify(FILLERS[Math.floor(i / (cuts.length + 1))]) };
    });
  }
  return { lines, rules: samples.size, worst, meanMs: totalMs / Math.max(lines, 1), size };
}

module.exports = { FILLERS, samplesPerRule, adversarialLines, measureAdversarial };
