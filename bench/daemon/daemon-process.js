'use strict';
/**
 * A real mailjail daemon (`node dist/cli/main.js daemon --config DIR`) inside a benchmark's
 * network namespace, with its own config dir, database, socket and log files in a temp dir.
 * Start time is measured from spawn() to the daemon's own "ready" log line, which it writes only
 * once every ban is back in the kernel and every source is open (what systemd's READY=1 means).
 */
const fs = require('node:fs');
const { LogFedProcess } = require('./log-fed-process');
const os = require('node:os');
const path = require('node:path');
const { CLI, cpuMsOf, memoryOf, onCleanup } = require('./sys');

class BenchDaemon extends LogFedProcess {
  /**
   * @param ns      namespace from sys.createNetns
   * @param options { action, mainYaml, jails: { 'name.yaml': text }, nodeArgs, logLevel }
   */
  constructor(ns, options = {}) {
    super();
    this.ns = ns;
    this.options = options;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mj-bench-'));
    this.removeDir = onCleanup(() => fs.rmSync(this.dir, { recursive: true, force: true }));
    this.configDir = path.join(this.dir, 'etc');
    this.database = path.join(this.dir, 'lib', 'mailjail.sqlite3');
    this.socket = path.join(this.dir, 'run', 'mailjail.sock');
    this.logFile = path.join(this.dir, 'mail.log');
    fs.mkdirSync(path.join(this.configDir, 'jails.d'), { recursive: true });
    fs.mkdirSync(path.dirname(this.database), { recursive: true });
    fs.mkdirSync(path.dirname(this.socket), { recursive: true });
    fs.writeFileSync(this.logFile, '');
    fs.writeFileSync(
      path.join(this.configDir, 'mailjail.yaml'),
      [
        `database: ${this.database}`,
        `socket: ${this.socket}`,
        `action: ${options.action ?? 'nftables'}`,
        `logLevel: ${options.logLevel ?? 'info'}`,
        options.mainYaml ?? '',
      ].join('\n'),
    );
    const jails = options.jails ?? { '50-postfix.yaml': postfixJail(this.logFile) };
    // a jail's text may be a function of the log file this daemon made
    for (const [name, text] of Object.entries(jails)) {
      fs.writeFileSync(path.join(this.configDir, 'jails.d', name), typeof text === 'function' ? text(this.logFile) : text);
    }
    this.child = null;
  }

  /** Spawns the daemon; resolves { readyMs } once it logs "ready" (rejects if it exits first). */
  start({ timeoutMs = 60_000 } = {}) {
    const argv = [...this.ns.wrap, process.execPath, ...(this.options.nodeArgs ?? []), CLI, 'daemon', '--config', this.configDir];
    return this.launch(argv, { timeoutMs, what: 'daemon', isReady: (tail) => tail.includes('"msg":"ready"') });
  }

  get pid() {
    return this.child?.pid;
  }

  cpuMs() {
    return this.pid ? cpuMsOf(this.pid) : null;
  }

  memory() {
    return this.pid ? memoryOf(this.pid) : null;
  }

  async dispose() {
    await this.stop();
    this.removeDir();
  }
}

/**
 * The shipped postfix jail reading `logFile`. `extra` is YAML indented under the jail
 * (e.g. `subnet: { enabled: false }`).
 */
function postfixJail(logFile, extra = '') {
  return ['jails:', '  postfix:', '    enabled: true', `    sources: [{ file: ${logFile} }]`, extra].filter(Boolean).join('\n') + '\n';
}

module.exports = { BenchDaemon, postfixJail };
