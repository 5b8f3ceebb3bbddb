/**
 * Issue 16: a reconcile that was running when the daemon stopped ran on after "stopped" and failed
 * on the closed database ("reconcile failed: The database connection is not open", seen while
 * chasing the daemon-signals flake). Stopping the housekeeping now waits for the ticks already running.
 */
import { Housekeeping, type HousekeepingDeps } from '../../../src/daemon/housekeeping';
import { useTempStores } from '../store/temp-store';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('housekeeping stop', () => {
  const stores = useTempStores();

  it('resolves only once a reconcile already running has ended, and starts none after', async () => {
    const store = stores.open();
    let release!: () => void;
    const kernelListing = new Promise<void>((resolve) => (release = resolve));
    let listings = 0;
    let reconciled = 0;
    const jail = {
      name: 'postfix',
      action: {
        setup: async () => undefined,
        listed: async () => {
          listings++;
          await kernelListing; // a slow `nft list` under load
          return new Set<string>();
        },
      },
      applier: { firewall: { queued: () => false } },
      meter: { reconciled: () => reconciled++ },
    };
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };
    const hk = new Housekeeping({ jails: { list: () => [jail] }, store, log, clock: { now: () => Date.now() }, logLineRetentionMs: () => undefined } as unknown as HousekeepingDeps);
    hk.start(5);
    while (listings === 0) await sleep(5);

    let stopped = false;
    const stopping = hk.stop().then(() => (stopped = true));
    await sleep(30);
    expect(stopped).toBe(false); // the reconcile still reads the kernel: the store must stay open
    release();
    await stopping;
    expect(reconciled).toBe(1);
    await sleep(30);
    expect(listings).toBe(1);
  });
});
