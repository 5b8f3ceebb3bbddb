/**
 * Reconcile under a steady attack (issue 17 point 7): with a new ban every second the daemon is
 * never quiet, yet a set someone flushed must be refilled within a couple of reconcile intervals
 * (the harness sets `reconcileInterval: 1s`), while the bans keep coming.
 */
import { describeWithNetns } from '../../helpers/netns';
import { saslFailure, useDaemon, waitFor } from './daemon-harness';

describeWithNetns(['nft'])('reconcile under a steady ban rate', () => {
  const h = useDaemon({ jailYaml: '    subnet: { enabled: false }' });

  const banLines = (ip: string) => ['a', 'b', 'c'].map((u) => saslFailure(ip, `${u}@example.com`));

  it('puts back the bans of a flushed set while a new ban arrives every second', async () => {
    const first = Array.from({ length: 30 }, (_, i) => `203.0.113.${i + 1}`);
    h.append(first.flatMap(banLines));
    await waitFor(async () => {
      const kernel = await h.nftElements();
      return first.every((ip) => kernel.has(ip));
    }, 20_000);

    // a steady attack: one more banned address a second, from another range
    let n = 0;
    const steady = setInterval(() => h.append(banLines(`198.51.100.${++n}`)), 1000);
    try {
      // five seconds into the attack: there has been no quiet moment since it began
      await waitFor(async () => (await h.nftElements()).has('198.51.100.5'), 20_000);
      await h.ns.execOk(['nft', 'flush', 'set', 'inet', 'mailjail', 'postfix_v4']);
      // a couple of 1 s intervals here; the deadline only bounds a hang (a loaded machine is slow,
      // and the attack goes on all the while, so a reconcile put off until quiet still fails it)
      await waitFor(async () => {
        const kernel = await h.nftElements();
        return first.every((ip) => kernel.has(ip));
      }, 20_000, 200);
    } finally {
      clearInterval(steady);
    }
    // pino writes asynchronously: the line may reach the output a moment after the kernel is whole
    await waitFor(() => h.output().includes('kernel set lost bans; re-asserting them'));
  }, 90_000);
});
