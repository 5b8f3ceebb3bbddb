import { countNewlines, splitLines, type SplitState } from '../../../src/sources/line-splitter';

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
    expect(splitLines(buf, 3, 8, 16, 100, { skipping: false })).toEqual({ texts: ['ab'], pos: 6 });
  });

  it('replaces invalid UTF-8 with U+FFFD, line by line', () => {
    expect(split(Buffer.from([0x61, 0xc3, 0x0a, 0xc3, 0xa9, 0x0a])).texts).toEqual(['a\ufffd', '\u00e9']);
  });
});

describe('countNewlines', () => {
  it('counts newlines within the range', () => {
    expect(countNewlines(Buffer.from('\na\nb\n\nc'), 1, 6)).toBe(3);
  });
});
