/**
 * Brings what older layouts left in a jail's table to the current layout (the plans are in
 * nft-upgrade.ts; this reads the kernel and applies them). Only setup calls it, never the ban path.
 */
import type { ActionLog } from './action';
import type { NftClient } from './nft-client';
import type { NftElement } from './nft-json';
import { jailSets } from './nft-script';
import { maskedMoveScript, misfitSets, upgradeScript } from './nft-upgrade';
import { assertOk, type CommandResult } from '../process/run-command';

/** A delete of an element that expired between reading and applying fails the transaction. */
export const ABSENT = /element does not exist/i;

/** Recreates the jail's sets whose type or flags differ from the layout, with their elements; null when none does. */
export async function upgradeMisfits(nft: NftClient, ports: number[] | 'all', log: ActionLog): Promise<CommandResult | null> {
  const summary = await nft.summary();
  const misfits = misfitSets(nft.names, summary);
  if (misfits.length === 0) return null;
  const sets = jailSets(nft.names.jail);
  const moved = new Map<string, NftElement[]>();
  for (const name of misfits) moved.set(name, await nft.setElements(sets.find((s) => s.name === name) ?? name));
  const presentNets: string[] = [];
  for (const s of sets) {
    if (s.interval && !misfits.includes(s.name) && summary.sets.some((x) => x.name === s.name)) {
      presentNets.push(...(await nft.setElements(s)).map((e) => e.text));
    }
  }
  const plan = upgradeScript(nft.names, ports, { summary, moved, presentNets });
  log('warn', 'recreating sets whose flags differ from the current layout, keeping their elements', { sets: misfits, moved: plan.moved });
  for (const ip of plan.covered) log('info', 'moved ban covered by a wider ban; dropped', { ip });
  return nft.script(plan.lines);
}

/**
 * Moves /24s and /64s out of the interval sets into the masked hash sets (the layout before this
 * one kept them there). Reads the two interval sets, which stay small in the current layout.
 */
export async function moveMaskedPrefixes(nft: NftClient, log: ActionLog): Promise<void> {
  const what = `nft upgrade of jail ${nft.names.jail} (moving /24 and /64 bans into hash sets)`;
  for (let attempt = 0; ; attempt++) {
    const present = await nft.elementsOf(jailSets(nft.names.jail).filter((s) => s.interval));
    const plan = maskedMoveScript(nft.names, present);
    if (plan.moved === 0) return;
    const r = await nft.script(plan.lines);
    if (r.code === 0) {
      log('warn', 'moved /24 and /64 bans from interval sets into masked hash sets (faster with many bans)', { moved: plan.moved });
      return;
    }
    // One of them expired since the listing: read again, once.
    if (attempt > 0 || !ABSENT.test(r.stderr)) assertOk(r, what);
  }
}
