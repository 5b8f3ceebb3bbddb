'use strict';
/**
 * What the mailjail and fail2ban benchmark processes share: a log file fed in single writes, and
 * a stop that sends SIGTERM, then SIGKILL after a grace period. Subclasses set `child`, `exited`
 * (a promise of the exit) and `logFile`, and implement `kill()` (final cleanup of the process).
 */
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');

class LogFedProcess {
  /** Appends lines to the log file in one write; returns the time just before the write. */
  append(lines) {
    const text = lines.map((l) => `${l}\n`).join('');
    const t = performance.now();
    fs.appendFileSync(this.logFile, text);
    return t;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; waits for the exit. */
  async stop(graceMs = 10_000) {
    if (!this.child) return;
    const child = this.child;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    this.kill();
  }
}

module.exports = { LogFedProcess };
