'use strict';
// The real mailjail daemon (the built CLI) inside the e2e server namespace, following the MTAs'
// own log files with the shipped `postfix` and `exim` jails, and the CLI that talks to it.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const { STATUS_UNHEALTHY } = require(path.join(ROOT, 'dist', 'cli', 'status-view.js'));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the CLI (outside the namespace: the control socket is a file) and collects its output. */
function runCli(args, { timeoutMs = 60000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal, stdout, stderr });
    });
  });
}

class MailjailDaemon {
  /** `dir` is made here and removed with the env's work dir by teardown. */
  constructor({ env, action, dir, reconcileInterval = '2s' }) {
    this.env = env;
    this.action = action;
    this.dir = dir;
    this.configDir = path.join(dir, 'etc');
    this.socket = path.join(dir, 'run', 'mailjail.sock');
    this.database = path.join(dir, 'lib', 'mailjail.sqlite3');
    this.logFile = path.join(dir, 'daemon.log');
    this.reconcileInterval = reconcileInterval;
    this.child = null;
    this.exited = null;
  }

  writeConfig() {
    fs.mkdirSync(path.join(this.configDir, 'jails.d'), { recursive: true });
    fs.mkdirSync(path.dirname(this.socket), { recursive: true });
    fs.mkdirSync(path.dirname(this.database), { recursive: true });
    fs.writeFileSync(path.join(this.configDir, 'mailjail.yaml'), [
      `database: ${this.database}`,
      `socket: ${this.socket}`,
      `action: ${this.action}`,
      `reconcileInterval: ${this.reconcileInterval}`,
      'logLevel: info',
      '',
    ].join('\n'));
    // The shipped jails with their defaults; only the log paths are this environment's.
    fs.writeFileSync(path.join(this.configDir, 'jails.d', '50-e2e.yaml'), [
      'jails:',
      '  postfix:',
      '    enabled: true',
      `    sources: [{ file: ${this.env.logs.postfix} }]`,
      '  exim:',
      '    enabled: true',
      `    sources: [{ file: ${this.env.logs.exim} }, { file: ${this.env.logs.eximAll} }]`,
      '  dovecot:',
      '    enabled: true',
      `    sources: [{ file: ${this.env.logs.dovecot} }]`,
      '',
    ].join('\n'));
  }

  /** Starts `mailjail daemon` in the server namespace; resolves once `status` answers. */
  async start({ timeoutMs = 60000 } = {}) {
    this.writeConfig();
    const out = fs.openSync(this.logFile, 'a');
    this.child = spawn('ip', ['netns', 'exec', this.env.serverNamespace, process.execPath, CLI,
      'daemon', '--config', this.configDir], { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    const child = this.child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`mailjail daemon exited (${child.exitCode ?? child.signalCode}):\n${this.logTail()}`);
      }
      const status = await this.cli(['status', '--json'], { timeoutMs: 10000 });
      // 11: it answers but reports a problem (a passing one on a loaded machine); answering is the point
      if (status.code === 0 || status.code === STATUS_UNHEALTHY) return JSON.parse(status.stdout);
      if (Date.now() > deadline) throw new Error(`mailjail daemon did not answer within ${timeoutMs} ms:\n${this.logTail()}`);
      await sleep(300);
    }
  }

  cli(args, options) {
    return runCli([...args, '--socket', this.socket], options);
  }

  /** `mailjail list --json`: [{ip, jail, since, until, reason, count}]. */
  async list() {
    const result = await this.cli(['list', '--json']);
    if (result.code !== 0) throw new Error(`mailjail list --json exited ${result.code}: ${result.stderr.trim()}`);
    return JSON.parse(result.stdout);
  }

  /** SIGTERM, then SIGKILL after `graceMs` (only bounds a hang: it stops in a second here); resolves with the exit code or signal. */
  async stop({ graceMs = 30000 } = {}) {
    if (!this.child) return null;
    const child = this.child;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return this.exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  /** For signal handlers: no waiting. */
  killNow() {
    if (this.child && this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  logTail(lines = 30) {
    try {
      return fs.readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no daemon log)';
    }
  }
}

module.exports = { MailjailDaemon, runCli, CLI, ROOT };
