/**
 * Scenario tests (issue 5): each folder holds a jail drop-in, an input log and what must come of
 * it. The log runs through `replay` — the real filters and the real decision engine, with the
 * log's own timestamps as the clock — and the bans are checked against expected.yaml:
 *   everyAddress: blocked | untouched   every client address in input.log
 *   spared: [ip, ...]                  with `blocked`: these (customers) must never be banned
 *   reasons: [...]                     every ban's reason is one of these (`x:*` = any `x:` reason)
 *   mustInclude: {ip: reason}          bans that must exist exactly
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load-config';
import { CidrList, parseCidr } from '../../src/core/ip';
import type { Ban } from '../../src/core/types';
import { replay } from '../../src/daemon/replay';

interface Expected {
  jail: string;
  everyAddress: 'blocked' | 'untouched';
  spared?: string[];
  reasons?: string[];
  mustInclude?: Record<string, string>;
}

const cases = readdirSync(__dirname, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

/** Client addresses in a log: inside [brackets] (Postfix, Exim). */
function addressesIn(log: string): string[] {
  return [...new Set([...log.matchAll(/\[([0-9a-f.:]+)\]/gi)].map((m) => m[1]).filter((a) => parseCidr(a)))];
}

describe.each(cases)('scenario %s', (name) => {
  const folder = join(__dirname, name);
  const expected = parse(readFileSync(join(folder, 'expected.yaml'), 'utf8')) as Expected;
  let bans: Ban[];
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mj-scenario-'));
    mkdirSync(join(dir, 'jails.d'));
    writeFileSync(join(dir, 'jails.d', '50-scenario.yaml'), readFileSync(join(folder, 'jail.yaml')));
    bans = [];
    replay(loadConfig(dir), { jails: [expected.jail], files: [join(folder, 'input.log')] }, (b) => bans.push(b));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const addresses = () => addressesIn(readFileSync(join(folder, 'input.log'), 'utf8'));
  const blocked = (ip: string) => bans.some((b) => b.ip === ip || (b.ip.includes('/') && new CidrList([parseCidr(b.ip)!]).matches(ip)));

  if (expected.everyAddress === 'blocked') {
    const spared = expected.spared ?? [];
    it('blocks every attacking address', () => {
      expect(addresses().filter((ip) => !spared.includes(ip) && !blocked(ip))).toEqual([]);
    });
    if (spared.length > 0) {
      it(`never bans the customers ${spared.join(', ')}`, () => {
        expect(spared.filter(blocked)).toEqual([]);
      });
    }
  } else {
    it('never bans any address', () => {
      expect(bans).toEqual([]);
    });
  }

  if (expected.reasons) {
    it(`gives only the expected reasons (${expected.reasons.join(', ')})`, () => {
      const allowed = (r: string) => expected.reasons!.some((a) => (a.endsWith(':*') ? r.startsWith(a.slice(0, -1)) : r === a));
      expect(bans.map((b) => b.reason).filter((r) => !allowed(r))).toEqual([]);
    });
  }

  for (const [ip, reason] of Object.entries(expected.mustInclude ?? {})) {
    it(`bans ${ip} for ${reason}`, () => {
      expect(bans.filter((b) => b.ip === ip).map((b) => b.reason)).toEqual([reason]);
    });
  }
});
