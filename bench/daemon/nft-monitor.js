'use strict';
/**
 * Watches element additions in a namespace's nftables as the kernel announces them
 * (`nft monitor new elements`: one line per element, printed when its transaction commits), and
 * timestamps each on arrival. Cheaper and more precise than polling `nft list set`, whose cost
 * grows with the set. The timestamp includes nft's own printing and the pipe: an upper bound.
 */
const { spawn } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const { cpuMsOf, killOnCleanup, raceTimeout } = require('./sys');

const ADD = /^add element (\S+) (\S+) (\S+) \{ (.*) \}$/;

class NftMonitor {
  /** @param onElement (set, elementText, timeMs) => void, called once per added element */
  constructor(ns, onElement) {
    this.ns = ns;
    this.onElement = onElement;
    this.errors = '';
    this.child = null;
  }

  /**
   * Starts the monitor and waits until it demonstrably sees events (a probe table's element).
   * `nft monitor` first caches the ruleset; a set a daemon replaces meanwhile makes it exit
   * ("Unable to cache set_elem. Set not found"): such a start is retried with a new monitor.
   */
  async start() {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.startOnce();
      } catch (e) {
        if (attempt >= 5) throw e;
        process.stderr.write(`bench: nft monitor in ${this.ns.name}, attempt ${attempt}: ${e.message}\n`);
      }
    }
  }

  async startOnce() {
    this.errors = '';
    const child = spawn('ip', ['netns', 'exec', this.ns.name, 'nft', 'monitor', 'new', 'elements'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.kill = killOnCleanup(child);
    let buffer = '';
    let probeSeen = null;
    child.stdout.on('data', (d) => {
      const t = performance.now();
      buffer += d.toString();
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const m = ADD.exec(line);
        if (!m) continue;
        if (m[2] === 'mjbenchprobe') {
          probeSeen?.();
          continue;
        }
        // One element per line, but keep to the first word: "198.18.0.1 timeout 1w expires ..."
        for (const item of m[4].split(', ')) this.onElement(m[3], item.split(' ')[0], t);
      }
    });
    child.stderr.on('data', (d) => {
      this.errors = (this.errors + d.toString()).slice(-2000);
    });
    const seen = new Promise((resolve) => (probeSeen = resolve));
    try {
      await this.probe(seen, child);
    } catch (e) {
      await this.stop(); // a monitor that never proved itself must not outlive its namespace
      throw e;
    }
  }

  /** Adds probe elements until the monitor prints one (it first reads the whole ruleset). */
  async probe(seen, child) {
    // nft monitor first reads the ruleset (seconds with 100,000 interval elements)
    const deadline = Date.now() + 60_000;
    await this.ns.execOk(['nft', '-f', '-'], {
      input: 'add table inet mjbenchprobe\nadd set inet mjbenchprobe s { type ipv4_addr; }\n', // `add` of an existing table or set is no error
    });
    for (let i = 1; ; i++) {
      await this.ns.execOk(['nft', 'add', 'element', 'inet', 'mjbenchprobe', 's', `{ 192.0.2.${i % 250} }`]);
      const ok = await raceTimeout(seen.then(() => true), 100, false);
      if (ok) break;
      const broken = child.exitCode !== null || child.signalCode !== null || /Unable to cache/.test(this.errors);
      if (broken) throw new Error(`nft monitor failed at start: ${this.errors.trim()}`);
      if (Date.now() > deadline) throw new Error(`nft monitor saw nothing within 60 s: ${this.errors}`);
    }
    await this.ns.execOk(['nft', 'delete', 'table', 'inet', 'mjbenchprobe']);
  }

  /** CPU time nft has used so far (its printing is part of what the benchmark costs the machine). */
  cpuMs() {
    return this.child ? cpuMsOf(this.child.pid) : this.cpuMsAtStop;
  }

  async stop() {
    if (!this.child) return;
    const child = this.child;
    this.child = null;
    this.cpuMsAtStop = cpuMsOf(child.pid);
    const exited = new Promise((r) => child.once('exit', r));
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    this.kill();
  }
}

module.exports = { NftMonitor };
