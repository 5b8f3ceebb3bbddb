/**
 * First start on an existing log (issue 3): by default reading begins at the end; with
 * `startAt: { replay: 10m }` the file is read from the start and only the last ten minutes count.
 * Also: a ban given a short time leaves the kernel and the list when it ends.
 */
import { writeFileSync } from 'node:fs';
import { describeWithNetns } from '../../helpers/netns';
import { saslFailure, useDaemon, waitFor } from './daemon-harness';

const ago = (ms: number) => new Date(Date.now() - ms);

describeWithNetns(['nft'])('daemon first start', () => {
  const hours = [saslFailure('192.0.2.1', 'a', ago(3_600_000)), saslFailure('192.0.2.1', 'b', ago(3_590_000)), saslFailure('192.0.2.1', 'c', ago(3_580_000))];
  const minutes = [saslFailure('192.0.2.2', 'a', ago(120_000)), saslFailure('192.0.2.2', 'b', ago(110_000)), saslFailure('192.0.2.2', 'c', ago(100_000))];

  describe('with startAt: { replay: 10m }', () => {
    const h = useDaemon({ jailYaml: '    startAt: { replay: 10m }' }, (d) => writeFileSync(d.logFile, [...hours, ...minutes].join('\n') + '\n'));

    it('bans from the last ten minutes of the existing log only', async () => {
      await waitFor(async () => (await h.nftElements()).has('192.0.2.2'));
      expect((await h.nftElements()).has('192.0.2.1')).toBe(false);
    });

    it('ends a short ban on time: gone from the kernel and from the list', async () => {
      expect((await h.cli(['ban', '203.0.113.50', '--for', '2s'])).code).toBe(0);
      expect((await h.nftElements('manual')).has('203.0.113.50')).toBe(true);
      await waitFor(async () => !(await h.nftElements('manual')).has('203.0.113.50'), undefined, 200);
      const list = JSON.parse((await h.cli(['list', '--json'])).stdout) as Array<{ ip: string }>;
      expect(list.map((b) => b.ip)).not.toContain('203.0.113.50');
    });
  });

  describe('with startAt: { replay: 10m } on a log big enough for the keyword scan', () => {
    // 6,000 lines without a keyword (about 600 KB: reads this big skip such lines undecoded)
    const filler = Array.from({ length: 6000 }, (_, i) => `${ago(7_200_000).toISOString().replace('Z', '+00:00')} mx postfix/qmgr[77]: ${(0x10000 + i).toString(16).toUpperCase()}A: removed`);
    const h = useDaemon({ jailYaml: '    startAt: { replay: 10m }' }, (d) => writeFileSync(d.logFile, [...filler, ...hours, ...minutes].join('\n') + '\n'));

    it('bans from the last ten minutes and counts every line it read, skipped ones included', async () => {
      await waitFor(async () => (await h.nftElements()).has('192.0.2.2'));
      expect((await h.nftElements()).has('192.0.2.1')).toBe(false);
      const status = JSON.parse((await h.cli(['status', 'postfix', '--json'])).stdout) as { jails: Array<{ counters: { lines: number; failures: number } }> };
      expect(status.jails[0].counters).toMatchObject({ lines: filler.length + hours.length + minutes.length, failures: hours.length + minutes.length });
      const file = (await h.cli(['why', '192.0.2.2', '--json'])).stdout;
      // strikes keep the true line numbers of the file
      expect((JSON.parse(file) as { strikes: Array<{ line: number }> }).strikes.map((s) => s.line).sort()).toEqual([6004, 6005, 6006]);
    });
  });

  describe('by default', () => {
    const h = useDaemon({}, (d) => writeFileSync(d.logFile, [...hours, ...minutes].join('\n') + '\n'));

    it('starts at the end of an existing log and bans only from new lines', async () => {
      h.append([saslFailure('192.0.2.3'), saslFailure('192.0.2.3'), saslFailure('192.0.2.3')]);
      await waitFor(async () => (await h.nftElements()).has('192.0.2.3'));
      const kernel = await h.nftElements();
      expect(kernel.has('192.0.2.1') || kernel.has('192.0.2.2')).toBe(false);
    });
  });
});
