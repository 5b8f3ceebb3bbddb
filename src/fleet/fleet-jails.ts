/**
 * What the fleet sees of the jails running on this node: the narrow interface the daemon hands it
 * (through the jail registry), never the daemon itself.
 */
import type { Ban } from '../core/types';
import type { Guard, JailEngine } from '../decide/jail-engine';

export interface FleetJail {
  readonly name: string;
  /** The jail's strikes count fleet-wide (`fleet: true`, the default). */
  readonly sharesCounts: boolean;
  /** Absent for the `manual` jail, which holds admin bans only. */
  readonly engine?: JailEngine;
  readonly guard: Guard;
  /** Queue bans into the jail's firewall action. */
  ban(bans: Ban[]): void;
  /** Queue unbans out of it. */
  unban(ips: string[]): void;
}

export interface FleetJails {
  /** False while the jails are being rebuilt (a reload): events wait rather than miss their jail. */
  ready(): boolean;
  get(name: string): FleetJail | undefined;
  all(): Iterable<FleetJail>;
  /** Where a ban of a jail this node does not run goes (the `manual` jail: all ports). */
  fallback(): FleetJail;
}
