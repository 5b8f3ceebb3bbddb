/**
 * Finds the lines of a Buffer that contain any of a set of keywords, in one pass. Node's
 * Buffer.indexOf is fast for one long needle, but a filter has ~20 keywords and 20 passes over
 * 100 MB cost more than the matching itself. Wu-Manber (a Boyer-Moore shift table over 2-byte
 * blocks shared by every keyword) skips up to (shortest keyword - 1) bytes per step. Keywords
 * shorter than MIN_WM_LENGTH would cap that skip for all, so they get their own indexOf pass.
 */
const NL = 10;
const MIN_WM_LENGTH = 8;

export class KeywordScanner {
  private readonly m: number;
  private readonly shift: Uint8Array;
  private readonly buckets: Array<Buffer[] | undefined>;
  private readonly short: Buffer[];

  constructor(keywords: readonly string[]) {
    // A keyword that contains another is redundant: every line holding it holds the shorter one.
    const distinct = [...new Set(keywords)].filter((k, _, all) => !all.some((o) => o !== k && k.includes(o)));
    const needles = distinct.map((k) => Buffer.from(k, 'utf8'));
    const long = needles.filter((n) => n.length >= MIN_WM_LENGTH);
    this.short = needles.filter((n) => n.length < MIN_WM_LENGTH);
    this.m = long.length > 0 ? Math.min(...long.map((n) => n.length)) : 0;
    this.shift = new Uint8Array(65536).fill(Math.max(this.m - 1, 1));
    this.buckets = new Array(65536);
    const m = this.m;
    for (const p of long) {
      for (let j = 0; j < m - 1; j++) {
        const h = (p[j] << 8) | p[j + 1];
        const s = m - 2 - j;
        if (s < this.shift[h]) this.shift[h] = s;
      }
      const h = (p[m - 2] << 8) | p[m - 1];
      (this.buckets[h] ??= []).push(p);
    }
  }

  /** Sorted, distinct byte offsets of the lines that contain at least one keyword. */
  lineStarts(b: Buffer): Float64Array {
    const found: number[] = [];
    if (this.m > 0) this.scanLong(b, found);
    let sorted = found.length > 0;
    for (const needle of this.short) {
      sorted = false;
      let at = b.indexOf(needle, 0);
      while (at >= 0) {
        found.push(b.lastIndexOf(NL, at) + 1);
        const nl = b.indexOf(NL, at + needle.length);
        if (nl < 0) break;
        at = b.indexOf(needle, nl + 1);
      }
    }
    const starts = Float64Array.from(found);
    if (!sorted) starts.sort();
    let n = 0;
    for (let i = 0; i < starts.length; i++) if (i === 0 || starts[i] !== starts[i - 1]) starts[n++] = starts[i];
    return starts.subarray(0, n);
  }

  private scanLong(b: Buffer, found: number[]): void {
    const { m, shift, buckets } = this;
    const len = b.length;
    let i = m - 1; // index of the last byte of the window
    while (i < len) {
      const h = (b[i - 1] << 8) | b[i];
      const s = shift[h];
      if (s > 0) {
        i += s;
        continue;
      }
      const start = i - m + 1;
      const bucket = buckets[h];
      let hit = false;
      if (bucket) {
        for (let k = 0; k < bucket.length && !hit; k++) {
          const p = bucket[k];
          if (start + p.length > len) continue;
          let j = 0;
          while (j < p.length && b[start + j] === p[j]) j++;
          hit = j === p.length;
        }
      }
      if (!hit) {
        i++;
        continue;
      }
      found.push(b.lastIndexOf(NL, start) + 1);
      const nl = b.indexOf(NL, i);
      if (nl < 0) break;
      i = nl + m; // the next line's first window
    }
  }
}
