/**
 * Reloads at the same time (issue 17 point 1): `mailjail reload` run in parallel, and racing a
 * SIGHUP from `systemctl reload`, are done one after the other. Afterwards each source has
 * exactly one reader (every line counted once: single failures with maxRetry 2 ban nobody), and
 * SIGTERM still stops the daemon.
 */
import { request } from '../../../src/control/client';
import { describeWithNetns } from '../../helpers/netns';
import { DaemonHarness, saslFailure, waitFor } from './daemon-harness';

interface Status {
  database: { strikes: number; activeBans: number };
  jails: Array<{ name: string; counters: { strikes: number }; sources: Array<{ files: Array<{ offset: number; size?: number }> }> }>;
}

describeWithNetns(['nft'])('daemon reloads at the same time', () => {
  const h = new DaemonHarness({ maxRetry: 2 });
  beforeAll(async () => {
    await h.setup();
    await h.start();
  });
  afterAll(() => h.teardown());

  it('counts every line once after parallel CLI reloads racing SIGHUPs, and still stops on SIGTERM', async () => {
    const reloads: Array<Promise<unknown>> = [];
    for (let i = 0; i < 4; i++) {
      reloads.push(request(h.socket, { cmd: 'reload' }, 30_000));
      if (i % 2 === 1) h.signal('SIGHUP');
    }
    const replies = await Promise.all(reloads);
    expect(replies).toEqual(Array(4).fill({ jails: ['manual', 'postfix'] }));
    // SIGHUP reloads finish on their own time (a reload asked while another waits joins it, and
    // two close SIGHUPs may arrive as one): wait until no reload has finished for a second
    const reloaded = () => (h.output().match(/"msg":"reloaded"/g) ?? []).length;
    for (let seen = -1; seen !== reloaded(); ) {
      seen = reloaded();
      await new Promise((r) => setTimeout(r, 1000));
    }

    const ips = Array.from({ length: 40 }, (_, i) => `192.0.2.${i + 1}`);
    // a user name each: one name failing from many addresses would be a spray, banned for that
    h.append(ips.map((ip, i) => saslFailure(ip, `user${i}@example.com`)));
    const status = async () => (await request(h.socket, { cmd: 'status' })) as Status;
    await waitFor(async () => (await status()).database.strikes >= ips.length, 20_000);
    // a second reader, had a reload left one behind, reads the same lines a moment later
    await waitFor(async () => (await status()).jails.find((j) => j.name === 'postfix')!.sources[0].files.every((f) => f.offset === f.size));
    await new Promise((r) => setTimeout(r, 1000));

    const after = await status();
    expect(after.database.strikes).toBe(ips.length);
    expect(after.database.activeBans).toBe(0);
    expect([...(await h.nftElements()).keys()]).toEqual([]);

    const stopped = await Promise.race([h.stop(), new Promise((r) => setTimeout(() => r('still running 20 s after SIGTERM'), 20_000))]);
    expect(stopped).toBe(0);
  });
});
