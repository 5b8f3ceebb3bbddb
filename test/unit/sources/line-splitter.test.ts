import { countNewlines, splitLines, type LineKeep, type SplitState } from '../../../src/sources/line-splitter';

const split = (text: string | Buffer, max = 16, maxLines = 100, state: SplitState = { skipping: false }) => {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  return { ...splitLines(buf, 0, buf.length, max, maxLines, state), state };
};

describe('splitLines', () => {
  it('takes complete lines and leaves a partial last line unconsumed', () => {
    expect(split('a\nbc\npartial')).toMatchObject({ texts: ['a', 'bc'], pos: 5 });
  });

  it('keeps empty lines and drops the CR of a CRLF ending', () => {
    expect(split('\r\nx\r\n\n').texts).toEqual(['', 'x', '']);
  });

  it('cuts a complete over-long line to maxLineBytes', () => {
    expect(split('0123456789abcdefXYZ\nnext\n')).toMatchObject({ texts: ['0123456789abcdef', 'next'], pos: 25 });
  });

  it('cuts an unfinished line once it holds maxLineBytes and skips its rest up to the newline', () => {
    const first = split('0123456789abcdefXY');
    expect(first).toMatchObject({ texts: ['0123456789abcdef'], pos: 18, state: { skipping: true } });
    const second = split('more rest\nnext\n', 16, 100, first.state);
    expect(second).toMatchObject({ texts: ['next'], pos: 15, state: { skipping: false } });
  });

  it('stops after maxLines lines, right after the last one', () => {
    expect(split('a\nb\nc\n', 16, 2)).toMatchObject({ texts: ['a', 'b'], pos: 4 });
  });

  it('reads only the given range of the buffer', () => {
    const buf = Buffer.from('xx\nab\ncd\nzz');
    expect(splitLines(buf, 3, 8, 16, 100, { skipping: false })).toEqual({ texts: ['ab'], lines: 1, pos: 6 });
  });

  it('replaces invalid UTF-8 with U+FFFD, line by line', () => {
    expect(split(Buffer.from([0x61, 0xc3, 0x0a, 0xc3, 0xa9, 0x0a])).texts).toEqual(['a\ufffd', '\u00e9']);
  });
});

describe('splitLines with keep', () => {
  const keepAt = (...starts: number[]): LineKeep => ({ starts: Float64Array.from(starts), next: 0 });

  it('decodes only the kept lines, with their places among all lines taken', () => {
    const buf = Buffer.from('a\nbb\nccc\ndd\npartial');
    const r = splitLines(buf, 0, buf.length, 16, 100, { skipping: false }, keepAt(2, 9));
    expect(r).toEqual({ texts: ['bb', 'dd'], ordinals: [1, 3], lines: 4, pos: 12 });
  });

  it('takes, cuts and counts the same lines as without keep', () => {
    const text = '0123456789abcdefXYZ\nnext\r\nkept\n0123456789abcdefXY';
    const plain = split(text);
    const buf = Buffer.from(text);
    const state: SplitState = { skipping: false };
    const gated = splitLines(buf, 0, buf.length, 16, 100, state, keepAt(0, 26, 31));
    expect(gated.pos).toBe(plain.pos);
    expect(gated.lines).toBe(plain.texts.length);
    expect(state.skipping).toBe(plain.state.skipping);
    expect(gated.texts).toEqual(['0123456789abcdef', 'kept', '0123456789abcdef']);
    expect(gated.ordinals).toEqual([0, 2, 3]);
  });

  it('counts a cut line that is not kept and still skips its rest', () => {
    const state: SplitState = { skipping: false };
    const buf = Buffer.from('0123456789abcdefXY');
    expect(splitLines(buf, 0, buf.length, 16, 100, state, keepAt())).toEqual({ texts: [], ordinals: [], lines: 1, pos: 18 });
    expect(state.skipping).toBe(true);
  });

  it('stops after maxLines kept lines, right after the last one', () => {
    const buf = Buffer.from('a\nb\nc\nd\n');
    const keep = keepAt(0, 4, 6);
    const first = splitLines(buf, 0, buf.length, 16, 2, { skipping: false }, keep);
    expect(first).toMatchObject({ texts: ['a', 'c'], lines: 3, pos: 6 });
    const rest = splitLines(buf, first.pos, buf.length, 16, 2, { skipping: false }, keep);
    expect(rest).toMatchObject({ texts: ['d'], ordinals: [0], lines: 1, pos: 8 });
  });

  it('ignores a start inside the skipped rest of a cut line', () => {
    const state: SplitState = { skipping: true };
    const buf = Buffer.from('rest of it\nnext\n');
    expect(splitLines(buf, 0, buf.length, 16, 100, state, keepAt(0))).toEqual({ texts: [], ordinals: [], lines: 1, pos: 16 });
  });
});

describe('countNewlines', () => {
  it('counts newlines within the range', () => {
    expect(countNewlines(Buffer.from('\na\nb\n\nc'), 1, 6)).toBe(3);
  });
});
