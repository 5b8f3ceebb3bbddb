/**
 * A steady writer for rotation tests: appends `line N` roughly every millisecond through an
 * O_APPEND descriptor, the way syslog does, and reopens its file when told (syslog after a HUP).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { sleep } from './tail-harness';

export class LogWriter {
  private fd: number;
  written = 0;

  constructor(private readonly file: string) {
    this.fd = openSync(file, 'a');
  }

  /** Writes lines up to `last`; `between(n)` runs after line n and may rotate. */
  async writeUpTo(last: number, between: (n: number) => void | Promise<void> = () => undefined): Promise<void> {
    while (this.written < last) {
      this.written++;
      writeSync(this.fd, `line ${this.written}\n`);
      await between(this.written);
      await sleep(1);
    }
  }

  reopen(): void {
    closeSync(this.fd);
    this.fd = openSync(this.file, 'a');
  }

  close(): void {
    closeSync(this.fd);
  }
}
