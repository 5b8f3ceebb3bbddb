/**
 * Ban and notify (issue 15 point 5): a jail with `actions: [nftables, notify]`, where notify is
 * contrib/mailjail-notify posting the `why` evidence to a webhook. The webhook (a real HTTP server
 * inside the daemon's namespace) fails its first request: the ban is in the kernel at once all the
 * same, and the notification arrives on the notify action's own retry.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeWithNetns } from '../../helpers/netns';
import { DaemonHarness, saslFailure, waitFor } from './daemon-harness';

const NOTIFY = resolve(__dirname, '../../../contrib/mailjail-notify');
const BIN = resolve(__dirname, '../../../bin/mailjail');
const PORT = 8089;

/** Answers 500 to the first POST and 200 to the others, appending each accepted body to `file`. */
const WEBHOOK = `
const fs = require('node:fs');
let seen = 0;
require('node:http').createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    if (seen++ === 0) { res.statusCode = 500; return res.end('try again'); }
    fs.appendFileSync(process.argv[1], body + '\\n');
    res.end('ok');
  });
}).listen(${PORT}, '127.0.0.1', () => console.log('listening'));
`;

describeWithNetns(['nft'])('a jail that bans and notifies', () => {
  const h = new DaemonHarness({
    jailYaml: '    actions: [nftables, notify]',
    mainYaml: '', // set in beforeAll, once the paths are known
  });
  const received = join(h.dir, 'webhook.jsonl');
  let webhook: ChildProcess;

  beforeAll(async () => {
    await h.setup();
    (h as unknown as { options: { mainYaml: string } }).options.mainYaml = [
      'actions:',
      '  notify:',
      '    type: command',
      `    ban: [${process.execPath}, ${NOTIFY}, --socket, ${h.socket}, --mailjail, ${BIN}, --webhook, "http://127.0.0.1:${PORT}/hook", <ip>, <jail>, <reason>, <timeout>]`,
      '    unban: [/bin/true]',
    ].join('\n');
    h.writeConfig('    actions: [nftables, notify]');
    webhook = spawn('ip', ['netns', 'exec', h.ns.name, process.execPath, '-e', WEBHOOK, received], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((res) => webhook.stdout!.once('data', res));
    await h.start();
  });
  afterAll(async () => {
    webhook?.kill();
    await h.teardown();
  });

  it('bans in the kernel at once and posts the why evidence to the webhook on its own retry', async () => {
    h.append([saslFailure('192.0.2.90'), saslFailure('192.0.2.90'), saslFailure('192.0.2.90')]);
    await waitFor(async () => (await h.nftElements()).has('192.0.2.90'));
    // the receiver's append creates the file before it writes the line: wait for the whole line
    await waitFor(() => existsSync(received) && readFileSync(received, 'utf8').includes('\n'), 20_000);
    const posted = JSON.parse(readFileSync(received, 'utf8').trim().split('\n')[0]);
    expect(posted).toMatchObject({ ip: '192.0.2.90', jail: 'postfix', reason: 'threshold' });
    expect(posted.timeoutSeconds).toBeGreaterThan(6 * 86400);
    expect(posted.why.strikes).toHaveLength(3);
    expect(posted.why.strikes[0].text).toContain('SASL LOGIN authentication failed');
    const postfixStatus = async () => JSON.parse((await h.cli(['status', '--json'])).stdout).jails.find((j: { name: string }) => j.name === 'postfix');
    // the notify command is done a moment after the webhook has the body
    await waitFor(async () => (await postfixStatus()).actions[1].ok === true, 20_000, 200);
    const postfix = await postfixStatus();
    expect(postfix.action).toMatchObject({ action: 'nftables', ok: true, failures: 0 });
    expect(postfix.actions.map((a: { action: string }) => a.action)).toEqual(['nftables', 'notify']);
    expect(postfix.actions[1]).toMatchObject({ ok: true, failures: 1 });
  });
});
