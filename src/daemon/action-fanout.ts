/**
 * A jail with several actions (`actions: [nftables, notify]`, issue 15): every ban and unban goes
 * to each action through its own BanApplier, so each batches and retries on its own (a mail
 * server that is down does not hold back the firewall, nor the other way round). The first action
 * is the firewall: it alone is restored at start, reconciled, and waited for by `mailjail ban`
 * and `unban`; the others see each ban and unban as it happens, so a notify script is not run
 * again for every ban at each restart.
 */
import type { Ban } from '../core/types';
import type { FirewallAction } from '../enforce/action';
import { type BatchMeter, BanApplier, type ActionHealth } from './ban-applier';
import type { Logger } from './logger';

/** What the daemon asks of a jail's actions; a single BanApplier is one too. */
export interface Applier {
  ban(bans: Ban[]): void;
  unban(ips: string[]): void;
  /** Resolves once everything queued so far is in the firewall (the first action). */
  flushNow(): Promise<void>;
  /** The firewall's health (what `status` has always shown as `action`). */
  status(): ActionHealth;
  /** Every action's health, the firewall first. */
  statuses(): ActionHealth[];
  /** The first action's own applier: reconcile re-asserts the kernel's bans through it alone. */
  readonly firewall: BanApplier;
  idle(): Promise<void>;
}

export class ActionFanout implements Applier {
  private readonly appliers: BanApplier[];
  readonly firewall: BanApplier;

  constructor(actions: FirewallAction[], jail: string, log: Logger, now: () => number, meter?: BatchMeter) {
    this.appliers = actions.map((a, i) => new BanApplier(i === 0 ? a : setUpFirst(a), jail, log, now, meter));
    this.firewall = this.appliers[0];
  }

  ban(bans: Ban[]): void {
    for (const a of this.appliers) a.ban(bans);
  }

  unban(ips: string[]): void {
    for (const a of this.appliers) a.unban(ips);
  }

  flushNow(): Promise<void> {
    for (const a of this.appliers.slice(1)) a.flushNow().catch(() => undefined); // reported by its own health
    return this.appliers[0].flushNow();
  }

  status(): ActionHealth {
    return this.appliers[0].status();
  }

  statuses(): ActionHealth[] {
    return this.appliers.map((a) => a.status());
  }

  async idle(): Promise<void> {
    await Promise.all(this.appliers.map((a) => a.idle()));
  }
}

/** A further action is set up before its first change; a failed setup is retried with that change. */
function setUpFirst(action: FirewallAction): FirewallAction {
  let isSetUp = false;
  const setup = async () => {
    if (isSetUp) return;
    await action.setup();
    isSetUp = true;
  };
  return {
    name: action.name,
    setup,
    ban: async (bans, now) => {
      await setup();
      await action.ban(bans, now);
    },
    unban: async (ips) => {
      await setup();
      await action.unban(ips);
    },
    listed: () => action.listed(),
    teardown: () => action.teardown(),
  };
}
