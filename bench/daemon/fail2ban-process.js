'use strict';
/**
 * fail2ban (the Debian package) in a benchmark's namespace, set up like the mailjail runs: a copy
 * of /etc/fail2ban with a jail.local enabling only `postfix-sasl` on a temp log, maxretry 1, the
 * nftables-allports banaction, its own socket, pid file and database in a temp dir. Started with
 * `fail2ban-client -f start` (client and server in one foreground process), stopped with SIGTERM
 * and, after a deadline, SIGKILL.
 */
const fs = require('node:fs');
const { LogFedProcess } = require('./log-fed-process');
const os = require('node:os');
const path = require('node:path');
const { onCleanup, run } = require('./sys');

async function fail2banVersion() {
  const r = await run(['fail2ban-server', '--version']);
  if (r.code !== 0) return null;
  return (r.stdout + r.stderr).trim().split('\n')[0];
}

class Fail2ban extends LogFedProcess {
  constructor(ns, { dir } = {}) {
    super();
    this.ns = ns;
    this.dir = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mj-bench-f2b-'));
    if (!dir) this.removeDir = onCleanup(() => fs.rmSync(this.dir, { recursive: true, force: true }));
    this.conf = path.join(this.dir, 'conf');
    this.logFile = path.join(this.dir, 'mail.log');
    this.socket = path.join(this.dir, 'f2b.sock');
    this.pidFile = path.join(this.dir, 'f2b.pid');
    this.database = path.join(this.dir, 'f2b.sqlite3');
    if (!fs.existsSync(this.conf)) {
      fs.cpSync('/etc/fail2ban', this.conf, { recursive: true });
      // only our jail: drop Debian's defaults (sshd on the journal)
      fs.rmSync(path.join(this.conf, 'jail.d'), { recursive: true, force: true });
      fs.mkdirSync(path.join(this.conf, 'jail.d'));
      fs.writeFileSync(this.logFile, '');
      fs.writeFileSync(
        path.join(this.conf, 'fail2ban.local'),
        ['[Definition]', 'loglevel = INFO', 'logtarget = STDOUT', `socket = ${this.socket}`, `pidfile = ${this.pidFile}`, `dbfile = ${this.database}`, 'dbpurgeage = 4w', ''].join('\n'),
      );
      fs.writeFileSync(
        path.join(this.conf, 'jail.local'),
        [
          '[DEFAULT]',
          'banaction = nftables-allports',
          'banaction_allports = nftables-allports',
          'bantime = 1w',
          'findtime = 10m',
          '[postfix-sasl]',
          'enabled = true',
          `logpath = ${this.logFile}`,
          'backend = auto',
          'maxretry = 1',
          '',
        ].join('\n'),
      );
    }
    this.child = null;
  }

  /** Starts fail2ban; resolves { readyMs } when it logs that the jail started. */
  start({ timeoutMs = 60_000 } = {}) {
    const argv = [...this.ns.wrap, 'fail2ban-client', '-c', this.conf, '-s', this.socket, '-p', this.pidFile, '-x', '-f', 'start'];
    return this.launch(argv, { timeoutMs, what: 'fail2ban', isReady: (tail) => /Jail 'postfix-sasl' started/.test(tail) });
  }

  async dispose() {
    await this.stop(5000);
    this.removeDir?.();
  }
}

module.exports = { Fail2ban, fail2banVersion };
