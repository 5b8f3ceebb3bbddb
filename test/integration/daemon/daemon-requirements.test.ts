/**
 * Started without what it needs, the daemon says exactly what is missing (issue 3): here, root.
 * Run as `nobody` inside a namespace made for the test, so nothing could touch the host anyway.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT_STATUS } from '../../../src/core/errors';
import { createNetns, describeWithNetns, type Netns } from '../../helpers/netns';
import { CLI } from './daemon-harness';

describeWithNetns(['nft', 'setpriv'])('daemon requirements', () => {
  let ns: Netns;
  let dir: string;
  beforeAll(async () => {
    ns = await createNetns('req');
    dir = mkdtempSync(join(tmpdir(), 'mj-req-'));
    chmodSync(dir, 0o777);
    mkdirSync(join(dir, 'jails.d'));
    writeFileSync(join(dir, 'mailjail.yaml'), `database: ${dir}/db.sqlite3\nsocket: ${dir}/s.sock\naction: nftables\n`);
    writeFileSync(join(dir, 'jails.d', '50.yaml'), `jails:\n  postfix:\n    enabled: true\n    sources: [{ file: ${dir}/mail.log }]\n`);
  });
  afterAll(async () => {
    await ns.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start without root and says so in one line', async () => {
    const r = await ns.exec(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'daemon', '--config', dir], { timeoutMs: 30_000 });
    expect(r.code).toBe(EXIT_STATUS.MISSING);
    expect(r.stderr.trim()).toMatch(/^mailjail: mailjail needs root \(CAP_NET_ADMIN\)/);
  });
});
