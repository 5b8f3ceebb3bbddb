'use strict';
/** Worst time per adversarial 64 KiB line over every shipped rule (see ../adversarial-lines.js). */
const path = require('node:path');
const { measureAdversarial, FILLERS } = require('../adversarial-lines');

module.exports = {
  name: 'adversarial lines',
  run(ctx) {
    const { loadFilters } = require(path.join(ctx.root, 'dist', 'config', 'load-filter'));
    const { Matcher } = require(path.join(ctx.root, 'dist', 'match', 'matcher'));
    const { runCheck } = require(path.join(ctx.root, 'dist', 'cli', 'commands', 'check'));
    const r = measureAdversarial({ Matcher, loadFilters, runCheck, fixturesDir: path.join(ctx.root, 'fixtures', 'logs') });
    return [
      `Every rule's fixture sample with ${r.size / 1024} KiB of each of ${FILLERS.length} hostile fillers spliced after the line head,`,
      "after the rule's keyword, at six evenly spaced points and at the end (also followed by one more character).",
      '',
      '| rules | lines | mean ms/line | worst ms/line | worst rule | filler |',
      '|---:|---:|---:|---:|---|---|',
      `| ${r.rules} | ${r.lines} | ${r.meanMs.toFixed(3)} | ${r.worst.ms.toFixed(2)} | ${r.worst.rule} | \`${r.worst.filler}\` |`,
    ].join('\n');
  },
};
