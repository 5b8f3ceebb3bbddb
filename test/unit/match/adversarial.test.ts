/**
 * No shipped regex may backtrack catastrophically: every rule's sample line, with 64 KiB of hostile
 * filler spliced in where its regex works hardest, must be matched (or rejected) quickly. A
 * catastrophic pattern takes seconds to forever on such a line; a linear one, about a millisecond.
 */
import { join } from 'node:path';
import { runCheck } from '../../../src/cli/commands/check';
import { loadFilters } from '../../../src/config/load-filter';
import { Matcher } from '../../../src/match/matcher';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { measureAdversarial } = require('../../../bench/adversarial-lines.js');

test('every shipped filter handles 64 KiB adversarial lines in linear time', () => {
  const result = measureAdversarial({
    Matcher,
    loadFilters,
    runCheck,
    fixturesDir: join(__dirname, '..', '..', '..', 'fixtures', 'logs'),
    size: 65536,
  });
  const eventRules = loadFilters([]).reduce((n, f) => n + f.rules.filter((r) => r.event).length, 0);
  expect(result.rules).toBe(eventRules);
  expect(result.lines).toBeGreaterThan(eventRules * 40);
  // Generous for a loaded CI machine: catastrophic backtracking is orders of magnitude slower.
  expect(result.worst.ms).toBeLessThan(250);
});
