/**
 * Issue 17 point 2 / issue 16 point 5: a batch the database cannot commit is never skipped. The
 * database lives on a 1 MiB tmpfs the test mounts; thousands of failure lines fill it; reading
 * holds (and `status` says so) until the tmpfs is grown, then resumes exactly where it stopped:
 * every line counted once. Before, the daemon logged "could not record a batch" and read on.
 */
import { mkdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describeWithNetns } from '../../helpers/netns';
import { DaemonHarness, runCommand, saslFailure, waitFor } from './daemon-harness';

interface SourceState {
  files: Array<{ offset: number; size?: number }>;
  held?: { attempts: number; error: string };
}

describeWithNetns(['nft', 'mount'])('daemon on a full disk', () => {
  const h = new DaemonHarness({ action: 'dry-run', jailYaml: '    startAt: end' });
  const lib = `${h.dir}/lib`;
  beforeAll(() => h.setup());
  afterAll(() => h.teardown());

  const sourceState = async (): Promise<SourceState> => {
    const status = JSON.parse((await h.cli(['status', 'postfix', '--json'])).stdout) as { jails: Array<{ sources: SourceState[] }> };
    return status.jails[0].sources[0];
  };

  it('holds reading while the database cannot commit, and counts every line once after the disk grows', async () => {
    mkdirSync(lib, { recursive: true });
    const mount = await runCommand(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', lib]);
    expect(mount.stderr).toBe('');
    try {
      await h.start();
      const ips = Array.from({ length: 1200 }, (_, i) => `198.51.100.${i % 250}`).map((ip, i) => (i < 250 ? ip : `203.0.113.${i % 250}`));
      const lines: string[] = [];
      // 4,800 lines: four failures of each of 1,200 (user, address) pairs, in a few hundred appends
      for (let round = 0; round < 4; round++) for (let i = 0; i < ips.length; i++) lines.push(saslFailure(ips[i], `user${i}@example.com`));
      for (let i = 0; i < lines.length; i += 400) h.append(lines.slice(i, i + 400));
      await waitFor(async () => (await sourceState()).held !== undefined, 20_000, 100);
      const held = await sourceState();
      expect(held.held!.error).toMatch(/full/i);
      const out = await h.cli(['status', 'postfix']);
      expect(out.stdout).toMatch(/HELD since/);
      // pino writes asynchronously: the error line may follow the status by a moment
      await waitFor(() => /"level":50.*a batch could not be committed/.test(h.output()), undefined, 100);
      // Nothing read past the held batch while it is held.
      await new Promise((r) => setTimeout(r, 1500));
      const stillHeld = await sourceState();
      expect(stillHeld.held).toBeDefined();
      expect(stillHeld.files[0].offset).toBeLessThan(stillHeld.files[0].size!);
      expect((await runCommand(['mount', '-o', 'remount,size=64m', lib])).code).toBe(0);
      await waitFor(async () => {
        const s = await sourceState();
        return s.held === undefined && s.files[0].offset === s.files[0].size;
      }, 60_000, 200);
      await h.stop();
      const db = new Database(h.database, { readonly: true });
      try {
        const counts = db.prepare('SELECT count(*) AS strikes, count(DISTINCT line) AS lines FROM strikes').get() as { strikes: number; lines: number };
        expect(counts).toEqual({ strikes: lines.length, lines: lines.length });
      } finally {
        db.close();
      }
    } finally {
      await h.stop();
      await runCommand(['umount', lib]);
    }
  }, 120_000);
});
