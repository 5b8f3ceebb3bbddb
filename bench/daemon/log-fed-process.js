'use strict';
/**
 * What the mailjail and fail2ban benchmark processes share: a start that spawns argv and waits
 * for its "ready" output, a log file fed in single writes, and a stop that sends SIGTERM, then
 * SIGKILL after a grace period. Subclasses set `logFile` and call launch() from their start().
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');
const { killOnCleanup } = require('./sys');

class LogFedProcess {
  /**
   * Spawns argv, keeps the tail of its output for error messages and resolves { readyMs } (since
   * the spawn) once `isReady(tail)` holds; rejects on timeout or if it exits first.
   */
  launch(argv, { timeoutMs, what, isReady }) {
    const t0 = performance.now();
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.kill = killOnCleanup(child);
    this.tail = '';
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    return new Promise((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => reject(new Error(`${what} not ready within ${timeoutMs} ms:\n${this.tail}`)), timeoutMs);
      const onData = (d) => {
        this.tail = (this.tail + d.toString()).slice(-4000);
        if (!ready && isReady(this.tail)) {
          ready = true;
          clearTimeout(timer);
          resolve({ readyMs: performance.now() - t0 });
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      this.exited.then((code) => {
        clearTimeout(timer);
        if (!ready) reject(new Error(`${what} exited (${code}) before ready:\n${this.tail}`));
      });
    });
  }

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
