'use strict';
// Times a ban from the client's side: from an attacker's last failure (the reply that revealed
// it) to its first connection that gets no answer. It polls CLOSED_PORT, where nothing listens:
// refused (RST) means "not banned yet", silence means the SYN was dropped. A real MTA port would
// work too, but every poll would add a "connect from ... lost connection" line to the MTA's log.
const { probeOne } = require('./probe');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A refused connect answers in well under a millisecond; this only has to outlast a busy loop. */
const PROBE_TIMEOUT_MS = 100;
/** A second, longer look before believing a drop, so a stalled event loop is not a ban. */
const CONFIRM_TIMEOUT_MS = 600;

/** Poll often right after a failure (the ban is due), more slowly while a spray builds up. */
function pollIntervalMs(sinceFailureMs) {
  if (sinceFailureMs < 1000) return 20;
  if (sinceFailureMs < 5000) return 50;
  return 200;
}

class BanWatch {
  /** `onDrop` runs once, when the first drop is seen (by polling or by a session). */
  constructor(address, port, onDrop = () => {}) {
    this.onDrop = onDrop;
    this.address = address;
    this.port = port;
    this.failureTimes = [];
    this.dropAt = null;
    this.error = null;
    this.stopped = false;
    this.running = null;
  }

  /**
   * Starts polling (once), from the attacker's first connection: a ban of a wider prefix can
   * drop it before it fails at all.
   */
  start() {
    if (this.running) return;
    this.startedAt = Date.now();
    this.running = this.poll();
  }

  /** Records failures the client just saw. */
  noteFailures(times) {
    this.failureTimes.push(...times);
    this.start();
  }

  /** A session of the attacker itself found the server silent (connect timed out at `at`). */
  noteDropped(at) {
    const first = this.dropAt === null;
    if (first || at < this.dropAt) this.dropAt = at;
    if (first) this.onDrop();
  }

  async poll() {
    while (!this.stopped && this.dropAt === null) {
      const started = Date.now();
      const probe = await probeOne(this.address, this.port, PROBE_TIMEOUT_MS);
      if (probe.result === 'timeout') {
        const confirm = await probeOne(this.address, this.port, CONFIRM_TIMEOUT_MS);
        if (confirm.result === 'timeout') {
          this.noteDropped(started);
          return;
        }
      } else if (probe.result === 'connected') {
        this.error = `something listens on port ${this.port}`;
        return;
      }
      await sleep(pollIntervalMs(Date.now() - Math.max(this.startedAt, ...this.failureTimes)));
    }
  }

  stop() {
    this.stopped = true;
    return this.running || Promise.resolve();
  }

  /** { address, failureAt, dropAt, latencyMs }: failureAt = the last failure before the drop. */
  result() {
    const before = this.failureTimes.filter((time) => this.dropAt === null || time <= this.dropAt);
    const failureAt = before.length ? Math.max(...before) : null;
    const latencyMs = failureAt !== null && this.dropAt !== null ? this.dropAt - failureAt : null;
    return {
      address: this.address,
      failureAt: failureAt === null ? null : new Date(failureAt).toISOString(),
      dropAt: this.dropAt === null ? null : new Date(this.dropAt).toISOString(),
      latencyMs,
      ...(this.error ? { error: this.error } : {}),
    };
  }
}

module.exports = { BanWatch };
