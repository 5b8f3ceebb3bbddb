/**
 * One daemon per firewall table and network namespace (issue 15 point 3): a second daemon with
 * its own config, socket and database but the same `table inet mailjail` in the same namespace
 * (`npm start` beside the service) is refused with exit 7 before it touches the kernel; one in
 * another namespace starts; a killed owner (kill -9) does not block the next start.
 */
import { describeWithNetns } from '../../helpers/netns';
import { DaemonHarness, saslFailure, waitFor } from './daemon-harness';

describeWithNetns(['nft'])('a firewall table has one daemon', () => {
  const first = new DaemonHarness();
  const second = new DaemonHarness();
  const elsewhere = new DaemonHarness();
  beforeAll(async () => {
    await first.setup();
    await elsewhere.setup();
    second.ns = first.ns; // same kernel namespace, everything else its own
  });
  afterAll(async () => {
    await second.teardown();
    await first.teardown();
    await elsewhere.teardown();
  });

  it('refuses a second daemon on the same table in the same namespace, with exit 7 and the owner named', async () => {
    await first.start();
    first.append(['a', 'b', 'c'].map((u) => saslFailure('192.0.2.10', u)));
    await waitFor(async () => (await first.nftElements()).has('192.0.2.10'), 20_000);

    second.launch();
    const code = await second.exitCode(); // its output complete, not only its process gone
    expect(code).toBe(7);
    expect(second.output()).toMatch(/another mailjail daemon \(pid \d+\) already serves firewall table "mailjail" in this network namespace/);
    // it touched nothing: the first daemon's ban is still there, and it still answers
    expect((await first.nftElements()).has('192.0.2.10')).toBe(true);
    expect(await first.answers()).toBe(true);
  });

  it('starts a daemon on the same table name in another namespace', async () => {
    await elsewhere.start();
    expect(await elsewhere.answers()).toBe(true);
    expect(await elsewhere.stop()).toBe(0);
  });

  it('takes over from an owner killed with kill -9, and a stopped owner leaves no claim behind', async () => {
    await first.kill9();
    await second.start();
    expect(await second.answers()).toBe(true);
    expect(await second.stop()).toBe(0);
    await first.start(); // the second stopped cleanly: its claim went with it
    expect(await first.answers()).toBe(true);
  });
});
