'use strict';
// A flat list of named checks, printed as they are made; the run ends with `N passed, N failed`.

class Checks {
  constructor(write = (line) => process.stdout.write(`${line}\n`)) {
    this.write = write;
    this.passed = 0;
    this.failed = 0;
    this.failures = [];
  }

  /** Records one check; `detail` says what was seen (always shown on failure). */
  check(name, ok, detail = '') {
    if (ok) this.passed += 1;
    else {
      this.failed += 1;
      this.failures.push(name);
    }
    const suffix = detail && (!ok || detail.length < 120) ? ` (${detail})` : '';
    this.write(`${ok ? 'ok  ' : 'FAIL'} ${name}${suffix}`);
    return ok;
  }

  /** A step that threw: counted as one failed check, so the run still reports and tears down. */
  error(name, error) {
    return this.check(name, false, error && (error.stack || error.message || String(error)));
  }

  summaryLine() {
    return `${this.passed} passed, ${this.failed} failed`;
  }
}

module.exports = { Checks };
