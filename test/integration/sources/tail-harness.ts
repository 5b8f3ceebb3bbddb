/** Shared by the file-source tests: a temp dir per test, a consumer that saves cursors as the daemon does, polling waits. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FileCursor, LineEvent } from '../../../src/core/types';
import { createFileSource } from '../../../src/sources/file-source';
import type { FileSourceOptions, Source, SourceBatch } from '../../../src/sources/source';

export function makeTempDir(name: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), `mj-${name}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` holds; fails with `what` after `timeoutMs` (which only bounds a hang: CI machines are slow). */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * Stands in for the daemon: decodes each chunk into lines (a cut line to maxLineBytes, CR of CRLF
 * dropped, as match/ does), takes them in steps of `stepLines` with the cursor after each step,
 * as the daemon commits, and keeps the results as batches of events.
 */
export class Consumer {
  readonly batches: SourceBatch[] = [];
  readonly cursors = new Map<string, FileCursor>();

  constructor(readonly stepLines = 500) {}

  get events(): LineEvent[] {
    return this.batches.flatMap((b) => b.events);
  }

  get texts(): string[] {
    return this.events.map((e) => e.text);
  }

  onBatch = (batch: SourceBatch): void => this.accept(batch);

  /** Takes a batch; with `onStep`, each step is offered to it first and taken only if it returns true. */
  protected accept(batch: SourceBatch, onStep: (step: SourceBatch) => boolean = () => true): void {
    for (const step of stepsOf(batch, this.stepLines)) {
      if (!onStep(step)) return;
      this.batches.push(step);
      if (step.cursor) this.cursors.set(step.cursor.key, step.cursor.value as FileCursor);
    }
  }

  getCursor = (key: string): FileCursor | undefined => this.cursors.get(key);

  /** A file source that delivers here; options override the test defaults. */
  source(id: string, patterns: string[], options: Partial<FileSourceOptions> = {}): Source {
    return createFileSource({
      id,
      patterns,
      getCursor: this.getCursor,
      onBatch: (b) => this.onBatch(b),
      pollIntervalMs: 200,
      ...options,
    });
  }
}

/** A batch as steps of decoded lines, each with the cursor after it (a batch without a chunk is one step). */
export function stepsOf(batch: SourceBatch, stepLines: number): SourceBatch[] {
  const { chunk } = batch;
  if (!chunk) return [batch];
  const { bytes, file, firstLine, maxLineBytes } = chunk;
  const steps: SourceBatch[] = [];
  let events: LineEvent[] = [];
  let lines = 0;
  for (let pos = 0; pos < bytes.length; ) {
    const nl = bytes.indexOf(10, pos);
    const end = nl < 0 ? bytes.length : nl;
    const textEnd = Math.min(end > pos && bytes[end - 1] === 13 ? end - 1 : end, pos + maxLineBytes);
    events.push({ source: batch.source, file, line: firstLine > 0 ? firstLine + lines : 0, text: bytes.toString('utf8', pos, textEnd) });
    lines++;
    pos = nl < 0 ? bytes.length : nl + 1;
    if (events.length === stepLines || pos >= bytes.length) {
      const cursor = chunk.cursorAt(pos, lines);
      steps.push({ source: batch.source, events, lines: events.length, ...(cursor ? { cursor } : {}) });
      events = [];
    }
  }
  return steps;
}

/** Line numbers of the form `line 17` found in texts, in order. */
export function numbersIn(texts: string[]): number[] {
  return texts.map((t) => Number(/line (\d+)/.exec(t)?.[1] ?? NaN));
}

export interface TailTest {
  /** This test's temp dir. */
  readonly dir: string;
  /** `mail.log` in it, not created. */
  readonly log: string;
  /** A source delivering to `c`, stopped after the test: id 'postfix' on the log unless `options` say otherwise. */
  follow(c: Consumer, options?: Partial<FileSourceOptions>): Source;
  /** A first run: the log made empty and followed until the `lines` lines `append` writes are read, then stopped (its cursor saved). */
  readThenStop(c: Consumer, append: () => void, lines: number): Promise<void>;
}

/** Registers the per-test set-up of a describe block: a fresh temp dir, and every followed source stopped after. */
export function useTailTest(name: string, defaults: Partial<FileSourceOptions> = {}): TailTest {
  let tmp: ReturnType<typeof makeTempDir> | undefined;
  const sources: Source[] = [];
  const t: TailTest = {
    get dir() {
      if (!tmp) throw new Error('useTailTest: no test is running');
      return tmp.dir;
    },
    get log() {
      return path.join(t.dir, 'mail.log');
    },
    follow(c, options = {}) {
      const all = { ...defaults, ...options };
      const s = c.source(all.id ?? 'postfix', all.patterns ?? [t.log], all);
      sources.push(s);
      return s;
    },
    async readThenStop(c, append, lines) {
      writeFileSync(t.log, '');
      const first = t.follow(c);
      await first.start();
      append();
      await waitFor(`${lines} lines`, () => c.events.length === lines);
      await first.stop();
    },
  };
  beforeEach(() => {
    tmp = makeTempDir(name);
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.stop()));
    tmp?.remove();
    tmp = undefined;
  });
  return t;
}
