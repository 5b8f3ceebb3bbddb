/**
 * Issue 17 point 4: with `startAt: end` and a new database, a line appended right after the
 * daemon reports ready must be read, even when the daemon is killed at once and started again:
 * "ready" means the start position is fixed, in the database.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { describeWithNetns } from '../../helpers/netns';
import { DaemonHarness, saslFailure, waitFor } from './daemon-harness';

describeWithNetns(['nft'])('daemon first start at the end of a log', () => {
  const h = new DaemonHarness();
  beforeAll(() => h.setup());
  afterAll(() => h.teardown());

  const strikesOf = async (ip: string): Promise<number> => {
    const why = JSON.parse((await h.cli(['why', ip, '--json'])).stdout) as { strikes: unknown[] };
    return why.strikes.length;
  };

  it('reads a line appended right after ready, though the daemon is killed at once and started again', async () => {
    const misses: number[] = [];
    for (let run = 0; run < 6; run++) {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${h.database}${suffix}`, { force: true });
      writeFileSync(h.logFile, `${saslFailure('198.51.100.200')}\n`.repeat(50));
      await h.start();
      h.append([saslFailure(`192.0.2.${run + 1}`)]);
      await h.kill9();
      await h.start();
      try {
        // a lost line is never read: the deadline only bounds the wait (a loaded machine is slow)
        await waitFor(async () => (await strikesOf(`192.0.2.${run + 1}`)) === 1, 20_000, 50);
      } catch {
        misses.push(run);
      }
      await h.stop();
    }
    expect(misses).toEqual([]);
  }, 180_000);
});
