/**
 * A real mailjail daemon (the built CLI, `node dist/cli/main.js daemon`) running inside a network
 * namespace made for the test, with its own config dir, database, socket and log file. The
 * daemon's nft/ipset commands therefore change only the namespace's firewall.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { STATUS_UNHEALTHY } from '../../../src/cli/status-view';
import { request } from '../../../src/control/client';
import { OWNER_DIR } from '../../../src/enforce/firewall-owner';
import { parseSetElements } from '../../../src/enforce/nft-json';
import { jailSets } from '../../../src/enforce/nft-script';
import { runCommand, type CommandResult } from '../../../src/process/run-command';
import { createNetns, type Netns } from '../../helpers/netns';

export const CLI = resolve(__dirname, '../../../dist/cli/main.js');

export interface HarnessOptions {
  action?: 'nftables' | 'iptables' | 'dry-run';
  /** Extra YAML for the postfix jail (indented under it). */
  jailYaml?: string;
  mainYaml?: string;
  /** The postfix jail's maxRetry (default 3). */
  maxRetry?: number;
}

export class DaemonHarness {
  readonly dir: string;
  readonly configDir: string;
  readonly logFile: string;
  readonly socket: string;
  readonly database: string;
  readonly outFile: string;
  ns!: Netns;
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> | null = null;

  constructor(private readonly options: HarnessOptions = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'mj-daemon-'));
    this.configDir = join(this.dir, 'etc');
    this.logFile = join(this.dir, 'mail.log');
    this.socket = join(this.dir, 'run', 'mailjail.sock');
    this.database = join(this.dir, 'lib', 'mailjail.sqlite3');
    this.outFile = join(this.dir, 'daemon.out');
    mkdirSync(join(this.configDir, 'jails.d'), { recursive: true });
    // world-traversable like /run, so a refused non-root caller is refused by the socket's own mode
    chmodSync(this.dir, 0o755);
    mkdirSync(join(this.dir, 'run'), { mode: 0o755 });
    writeFileSync(this.logFile, '');
    this.writeConfig(options.jailYaml ?? '');
  }

  writeConfig(jailYaml: string): void {
    writeFileSync(
      join(this.configDir, 'mailjail.yaml'),
      [`database: ${this.database}`, `socket: ${this.socket}`, `action: ${this.options.action ?? 'nftables'}`, 'reconcileInterval: 1s', 'logLevel: debug', this.options.mainYaml ?? ''].join('\n'),
    );
    writeFileSync(
      join(this.configDir, 'jails.d', '50-postfix.yaml'),
      ['jails:', '  postfix:', '    enabled: true', `    sources: [{ file: ${this.logFile} }]`, `    maxRetry: ${this.options.maxRetry ?? 3}`, jailYaml].join('\n'),
    );
  }

  async setup(): Promise<void> {
    this.ns = await createNetns('daemon');
  }

  /** How the daemon is run: the CLI inside the namespace (the fleet's suite keeps it outside); `user`: a setpriv prefix. */
  protected daemonArgv(user: string[] = []): string[] {
    return ['ip', 'netns', 'exec', this.ns.name, ...user, process.execPath, CLI, 'daemon', '--config', this.configDir];
  }

  /** Spawns the daemon without waiting for it (as `asUser`, a uid, if given); its output goes to outFile. */
  launch(options: { asUser?: string } = {}): ChildProcess {
    const out = this.outFile;
    const user = options.asUser ? ['setpriv', `--reuid=${options.asUser}`, `--regid=${options.asUser}`, '--clear-groups'] : [];
    const [program, ...args] = this.daemonArgv(user);
    const child = spawn(program, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (d: Buffer) => appendFileSync(out, d));
    child.stderr!.on('data', (d: Buffer) => appendFileSync(out, d));
    // 'close', not 'exit': a process's last output can still be in the pipe when it exits, and
    // the tests read output() as soon as the daemon is gone.
    this.exited = new Promise((res) => child.once('close', (code) => res(code)));
    return child;
  }

  /** Starts the daemon and waits until it answers on its socket. */
  async start(): Promise<void> {
    const child = this.launch();
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`daemon exited with ${child.exitCode}:\n${readOut(this.outFile)}`);
      try {
        await request(this.socket, { cmd: 'status' }, 2000);
        return true;
      } catch {
        return false;
      }
    }, 20_000);
  }

  /** SIGTERM and wait. */
  async stop(): Promise<number | null> {
    if (!this.child) return null;
    this.child.kill('SIGTERM');
    const code = await this.exited;
    this.child = null;
    return code;
  }

  /** Waits for a daemon already told to stop: a second SIGTERM could land after Node has put back
   *  the default signal disposition on its way out and turn a clean exit into death by signal. */
  async waitExit(): Promise<number | null> {
    if (!this.child) return null;
    const code = await this.exited;
    this.child = null;
    return code;
  }

  /** kill -9 the daemon (the `ip netns exec` wrapper execs node, so the pid is node's). */
  async kill9(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGKILL');
    await this.exited;
    this.child = null;
  }

  /** The exit status of a launched daemon, once it has exited. */
  exitCode(): Promise<number | null> {
    return this.exited ?? Promise.resolve(null);
  }

  signal(sig: NodeJS.Signals): void {
    this.child?.kill(sig);
  }

  append(lines: string[]): void {
    appendFileSync(this.logFile, lines.map((l) => `${l}\n`).join(''));
  }

  /** Runs the CLI against this daemon's socket (from outside the namespace: a Unix socket is a file). */
  cli(args: string[], options: { asUser?: string } = {}): Promise<CommandResult> {
    const argv = [process.execPath, CLI, ...args, '--socket', this.socket];
    return runCommand(options.asUser ? ['setpriv', `--reuid=${options.asUser}`, '--regid=65534', '--clear-groups', ...argv] : argv, { timeoutMs: 60_000 });
  }

  /**
   * What the kernel bans for a jail in the namespace, with timeouts: hosts and prefixes of both
   * families (the union of its six sets; a set not there yet adds nothing).
   */
  async nftElements(jail = 'postfix'): Promise<Map<string, number | undefined>> {
    const out = new Map<string, number | undefined>();
    for (const set of jailSets(jail)) {
      const r = await this.ns.exec(['nft', '-j', 'list', 'set', 'inet', 'mailjail', set.name]);
      if (r.code === 0) for (const e of parseSetElements(r.stdout, set.mask)) out.set(e.text, e.timeoutS);
    }
    return out;
  }

  async ipsetElements(set: string): Promise<Set<string>> {
    const r = await this.ns.exec(['ipset', 'list', set]);
    const out = new Set<string>();
    let inMembers = false;
    for (const line of r.stdout.split('\n')) {
      if (line.startsWith('Members:')) inMembers = true;
      else if (inMembers && line.trim()) out.add(line.trim().split(/\s+/)[0]);
    }
    return out;
  }

  output(): string {
    return readOut(this.outFile);
  }

  /**
   * Does the daemon answer `mailjail status`? Answering is what these tests ask, not health: its
   * exit is 11 while a problem is reported, and on a loaded machine a reconcile whose kernel
   * listing overlaps a ban or an unban reaching the kernel reports a passing drift (see the
   * report of the robust branch: src/daemon/restore.ts), which status-problems.test.ts covers.
   */
  async answers(): Promise<boolean> {
    const r = await this.cli(['status', '--json']);
    if (r.code !== 0 && r.code !== STATUS_UNHEALTHY) return false;
    return (JSON.parse(r.stdout) as { pid?: number }).pid !== undefined;
  }

  async teardown(): Promise<void> {
    await this.kill9();
    if (this.ns) {
      // a killed daemon leaves its claim on the namespace's table (the next one would take it over)
      const r = await this.ns.exec(['readlink', '/proc/self/ns/net']);
      const ino = r.code === 0 ? r.stdout.replace(/\D/g, '') : '';
      if (ino && existsSync(OWNER_DIR)) for (const f of readdirSync(OWNER_DIR)) if (f.startsWith(`${ino}-`)) rmSync(join(OWNER_DIR, f), { force: true });
    }
    await this.ns?.remove();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function readOut(file: string): string {
  try {
    return require('node:fs').readFileSync(file, 'utf8') as string;
  } catch {
    return '';
  }
}

/**
 * Polls until `check` holds. The deadline only bounds a hang: a loaded CI machine may take many
 * seconds for what takes one here (each kernel read is a few `ip netns exec nft` processes).
 */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 30_000, stepMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** A Postfix SASL failure line, stamped now (RFC 3339, as rsyslog's high-precision format writes it). */
export function saslFailure(ip: string, user = 'info@example.com', time = new Date()): string {
  return `${time.toISOString().replace('Z', '+00:00')} mx postfix/submission/smtpd[4242]: warning: unknown[${ip}]: SASL LOGIN authentication failed: authentication failure, sasl_username=${user}`;
}

export { runCommand };

/** Registers a namespace + started daemon for the enclosing describe block, torn down after it. */
export function useDaemon(options: HarnessOptions = {}, before?: (h: DaemonHarness) => void): DaemonHarness {
  const h = new DaemonHarness(options);
  beforeAll(async () => {
    before?.(h);
    await h.setup();
    await h.start();
  });
  afterAll(() => h.teardown());
  return h;
}
