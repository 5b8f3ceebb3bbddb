/**
 * Finds the lines that contain any of a set of keywords. Node's Buffer.indexOf is fast for one
 * long needle, but a filter has ~20 keywords and 20 passes over 100 MB cost more than the matching
 * itself; likewise 20 String.includes per line cost more than everything else the daemon does with
 * a line that holds none. Wu-Manber (a Boyer-Moore shift table over 2-unit blocks shared by every
 * keyword) skips up to (shortest keyword - 1) units per step. Keywords shorter than MIN_WM_LENGTH
 * would cap that skip for all, so they are searched for on their own (indexOf / includes).
 * Two forms: `lineStarts` over a Buffer of many lines (UTF-8 bytes), and `markPresent` over one
 * line already decoded (UTF-16 code units, folded to their low byte for the table: a fold only
 * costs a verification, never a miss), which also says which keywords the line holds.
 */
const NL = 10;
const MIN_WM_LENGTH = 8;
/** How much of a buffer the short-keyword pass samples to learn which bytes are rare. */
const SAMPLE_BYTES = 65536;

/** The shift table and end-block buckets for one alphabet (bytes, or code units). */
class ShiftTable<N extends Buffer | string> {
  /** Shortest needle; 0 when there is none. */
  readonly m: number;
  readonly shift: Uint8Array;
  /**
   * Needles by the hash of their last block at the shortest length: slot[h] is 0 for none, else
   * 1 + the index of the bucket in `buckets` (and of their keyword ids in `ids`). Typed and
   * zero-filled: a daemon builds a dozen of these at start, and two 65,536-slot JS arrays each
   * cost ~2 ms to allocate where this costs microseconds.
   */
  readonly slot: Uint16Array;
  readonly buckets: N[][] = [];
  readonly ids: number[][] = [];

  constructor(needles: N[], needleIds: number[], unitAt: (n: N, i: number) => number) {
    this.m = needles.length > 0 ? Math.min(...needles.map((n) => n.length)) : 0;
    const m = this.m;
    this.shift = new Uint8Array(65536).fill(Math.max(m - 1, 1));
    this.slot = new Uint16Array(65536);
    needles.forEach((p, k) => {
      for (let j = 0; j < m - 1; j++) {
        const h = ((unitAt(p, j) & 255) << 8) | (unitAt(p, j + 1) & 255);
        const s = m - 2 - j;
        if (s < this.shift[h]) this.shift[h] = s;
      }
      const h = ((unitAt(p, m - 2) & 255) << 8) | (unitAt(p, m - 1) & 255);
      if (this.slot[h] === 0) {
        this.buckets.push([]);
        this.ids.push([]);
        this.slot[h] = this.buckets.length;
      }
      this.buckets[this.slot[h] - 1].push(p);
      this.ids[this.slot[h] - 1].push(needleIds[k]);
    });
  }
}

export class KeywordScanner {
  private readonly bytes: ShiftTable<Buffer>;
  private readonly shortBytes: Buffer[];
  private readonly units: ShiftTable<string>;
  private readonly shortUnits: string[];
  private readonly shortIds: number[];

  /** `keywords` must be distinct: markPresent reports them by their index here. */
  constructor(keywords: readonly string[]) {
    // For lineStarts a keyword that contains another is redundant: every line holding it holds
    // the shorter one. markPresent must report each keyword, so its table keeps them all.
    const distinct = [...new Set(keywords)].filter((k, _, all) => !all.some((o) => o !== k && k.includes(o)));
    const needles = distinct.map((k) => Buffer.from(k, 'utf8'));
    const long = needles.filter((n) => n.length >= MIN_WM_LENGTH);
    this.bytes = new ShiftTable(long, long.map((_, i) => i), (n, i) => n[i]);
    this.shortBytes = needles.filter((n) => n.length < MIN_WM_LENGTH);
    const ids = keywords.map((_, i) => i);
    const longIds = ids.filter((i) => keywords[i].length >= MIN_WM_LENGTH);
    this.units = new ShiftTable(longIds.map((i) => keywords[i]), longIds, (k, i) => k.charCodeAt(i));
    this.shortIds = ids.filter((i) => keywords[i].length < MIN_WM_LENGTH);
    this.shortUnits = this.shortIds.map((i) => keywords[i]);
  }

  /**
   * Which keywords one line (no newline) holds: present[i] = 1 if keywords[i] is in `text`, else
   * 0, in one pass over the line. Returns whether any is. The gate for every line the daemon reads.
   */
  markPresent(text: string, present: Uint8Array): boolean {
    present.fill(0);
    let any = false;
    const { m, shift, slot, buckets, ids } = this.units;
    const len = text.length;
    for (let i = m - 1; m > 0 && i < len; ) {
      const h = ((text.charCodeAt(i - 1) & 255) << 8) | (text.charCodeAt(i) & 255);
      const s = shift[h];
      if (s > 0) {
        i += s;
        continue;
      }
      const b = slot[h];
      if (b > 0) {
        const bucket = buckets[b - 1];
        const start = i - m + 1;
        for (let k = 0; k < bucket.length; k++) {
          if (text.startsWith(bucket[k], start)) {
            present[ids[b - 1][k]] = 1;
            any = true;
          }
        }
      }
      i++;
    }
    const short = this.shortUnits;
    for (let k = 0; k < short.length; k++) {
      if (text.includes(short[k])) {
        present[this.shortIds[k]] = 1;
        any = true;
      }
    }
    return any;
  }

  /** Sorted, distinct byte offsets of the lines of `b` that contain at least one keyword. */
  lineStarts(b: Buffer): Float64Array {
    const found: number[] = [];
    if (this.bytes.m > 0) this.scanLong(b, found);
    const sorted = this.shortBytes.length === 0;
    if (!sorted) this.scanShort(b, found);
    const starts = Float64Array.from(found);
    if (!sorted) starts.sort();
    let n = 0;
    for (let i = 0; i < starts.length; i++) if (i === 0 || starts[i] !== starts[i - 1]) starts[n++] = starts[i];
    return starts.subarray(0, n);
  }

  /**
   * One indexOf pass per short keyword. indexOf finds a needle's first byte with memchr, then
   * compares; `]: < ` starts with a byte every syslog line holds several times, so each keyword is
   * looked for from its rarest byte in this buffer (a sample's histogram) and the bytes before it
   * are checked by hand: ` A=` is found as `A=`, `]: < ` as `< `.
   */
  private scanShort(b: Buffer, found: number[]): void {
    const freq = new Uint32Array(256);
    const sampleEnd = Math.min(b.length, SAMPLE_BYTES);
    for (let i = 0; i < sampleEnd; i++) freq[b[i]]++;
    for (const needle of this.shortBytes) {
      let k = 0; // anchor: the needle's rarest byte (the first of equals)
      for (let j = 1; j < needle.length; j++) if (freq[needle[j]] < freq[needle[k]]) k = j;
      const anchor = needle.subarray(k);
      let at = b.indexOf(anchor, k);
      while (at >= 0) {
        const start = at - k;
        let j = 0;
        while (j < k && b[start + j] === needle[j]) j++;
        if (j < k) {
          at = b.indexOf(anchor, at + 1);
          continue;
        }
        found.push(b.lastIndexOf(NL, start) + 1);
        const nl = b.indexOf(NL, at + anchor.length);
        if (nl < 0) break;
        at = b.indexOf(anchor, nl + 1 + k);
      }
    }
  }

  private scanLong(b: Buffer, found: number[]): void {
    const { m, shift, slot, buckets } = this.bytes;
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
      const bucket = slot[h] > 0 ? buckets[slot[h] - 1] : undefined;
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
