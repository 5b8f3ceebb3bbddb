/**
 * One daemon per firewall. Two daemons on one nft table (or one set of ipset names) undo each
 * other's bans at every reconcile, so the table has an owner, recorded per kernel network
 * namespace and table name: `/run/mailjail/owners/<netns inode>-<table>` holds the owner's pid
 * and process start time (a reused pid is not mistaken for it). A second daemon that finds a live
 * owner refuses to start (SOCKET: exit 7, "another one already serves"); the record of a dead one
 * (kill -9, a crash) is taken over. Daemons in other network namespaces (tests, containers) have
 * other firewalls and other records.
 */
import { readFileSync, readlinkSync, linkSync, mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MailjailError } from '../core/errors';
import { assertOk, runCommand } from '../process/run-command';

export const OWNER_DIR = '/run/mailjail/owners';

interface Owner {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot at which the process started. */
  start: string;
}

/** The process's start time, or null when there is no such process. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count from the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function alive(owner: Owner): boolean {
  return owner.pid !== process.pid && startTimeOf(owner.pid) === owner.start;
}

function readOwner(file: string): Owner | null {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as Owner;
    return typeof o.pid === 'number' && typeof o.start === 'string' ? o : null;
  } catch {
    return null;
  }
}

/** `net:[4026532281]` of the namespace the firewall commands run in (behind `wrap` when there is one). */
async function netnsOf(wrap: string[] | undefined): Promise<string> {
  if (!wrap || wrap.length === 0) return readlinkSync('/proc/self/ns/net');
  const r = assertOk(await runCommand([...wrap, 'readlink', '/proc/self/ns/net'], { timeoutMs: 10_000 }), 'reading the network namespace');
  return r.stdout.trim();
}

export interface FirewallClaim {
  file: string;
  /** Removes the record if it is still this daemon's (stop). */
  release(): void;
}

/**
 * Records this daemon as the owner of `table` in its network namespace, or throws SOCKET naming
 * the live owner. `dir`: where records live (the default is under systemd's RuntimeDirectory).
 */
export async function claimFirewall(table: string, wrap: string[] | undefined, dir = OWNER_DIR): Promise<FirewallClaim> {
  const netns = await netnsOf(wrap);
  const file = join(dir, `${netns.replace(/\D/g, '')}-${table}`);
  const me: Owner = { pid: process.pid, start: startTimeOf(process.pid) ?? '' };
  // Written in full under a name of its own, then linked into place: link() fails if a record
  // exists, so of two daemons starting at once exactly one gets it, and nobody reads half a record.
  const mine = `${file}.${process.pid}`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    writeFileSync(mine, JSON.stringify({ ...me, table, netns }) + '\n', { mode: 0o644 });
  } catch (e) {
    throw new MailjailError('FIREWALL', `cannot record the owner of firewall table "${table}" in ${dir}: ${(e as Error).message}`);
  }
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(mine, file);
        return { file, release: () => release(file, me) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const owner = readOwner(file);
      if (owner && alive(owner)) throw alreadyServed(owner, table, netns);
      // A dead owner's record: move it aside (only one claimant's rename succeeds) and try again.
      const aside = `${file}.stale.${process.pid}`;
      try {
        renameSync(file, aside);
      } catch {
        continue; // another claimant moved it first
      }
      // What was moved may be a live claimant's fresh record (it took over just before): put it back.
      const moved = readOwner(aside);
      if (moved && alive(moved)) {
        try {
          linkSync(aside, file);
        } finally {
          unlinkSync(aside);
        }
        throw alreadyServed(moved, table, netns);
      }
      unlinkSync(aside);
    }
    throw new MailjailError('SOCKET', `could not record the owner of firewall table "${table}" in ${file}: other daemons keep claiming it`);
  } finally {
    unlinkSync(mine);
  }
}

function alreadyServed(owner: Owner, table: string, netns: string): MailjailError {
  return new MailjailError(
    'SOCKET',
    `another mailjail daemon (pid ${owner.pid}) already serves firewall table "${table}" in this network namespace (${netns}): ` +
      'stop it first (systemctl stop mailjail), or give this one its own nftablesTable',
  );
}

function release(file: string, me: Owner): void {
  const owner = readOwner(file);
  if (owner && owner.pid === me.pid && owner.start === me.start) {
    try {
      unlinkSync(file);
    } catch {
      // gone already
    }
  }
}
