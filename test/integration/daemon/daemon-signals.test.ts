/**
 * Signals while the daemon starts: systemd may send SIGTERM at any moment, also while the bans
 * are being restored. The daemon then finishes starting and stops cleanly (exit 0, "stopped"),
 * leaving the restored bans in the kernel, instead of dying half-way.
 */
import { describeWithNetns } from '../../helpers/netns';
import { DaemonHarness, saslFailure, waitFor } from './daemon-harness';

describeWithNetns(['nft'])('daemon signals', () => {
  const h = new DaemonHarness();
  beforeAll(() => h.setup());
  afterAll(() => h.teardown());

  it('stops cleanly on a SIGTERM that arrives while it is still starting', async () => {
    // a first run leaves one ban to restore
    await h.start();
    h.append([saslFailure('192.0.2.30', 'a'), saslFailure('192.0.2.30', 'b'), saslFailure('192.0.2.30', 'c')]);
    await waitFor(async () => (await h.nftElements()).has('192.0.2.30'));
    expect(await h.stop()).toBe(0);

    const child = h.launch();
    let seen = '';
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (d: Buffer) => {
        seen += d.toString();
        // the restore's log line comes some 30 ms before "ready": the daemon is still starting
        if (seen.includes('"msg":"bans restored"')) {
          child.kill('SIGTERM');
          resolve();
        }
      });
    });
    expect(await h.waitExit()).toBe(0);
    expect(h.output()).toMatch(/"signal":"SIGTERM".*"msg":"stopping"/);
    expect((await h.nftElements()).has('192.0.2.30')).toBe(true);
  });
});
