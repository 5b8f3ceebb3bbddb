import { countNewlines, wholeLines, type SplitState } from '../../../src/sources/line-splitter';

const whole = (text: string, max = 16, state: SplitState = { skipping: false }) => {
  const buf = Buffer.from(text);
  return { ...wholeLines(buf, buf.length, max, state), state };
};

describe('wholeLines', () => {
  it('ends after the last newline and leaves a partial last line for the next read', () => {
    expect(whole('a\nbc\npartial')).toMatchObject({ start: 0, end: 5, state: { skipping: false } });
  });

  it('leaves a read without a newline for later while it is shorter than maxLineBytes', () => {
    expect(whole('partial')).toMatchObject({ start: 0, end: 0 });
  });

  it('keeps an over-long line that has its newline whole (it is cut when decoded)', () => {
    expect(whole('0123456789abcdefXYZ\nnext\n')).toMatchObject({ start: 0, end: 25, state: { skipping: false } });
  });

  it('ends with the first maxLineBytes of an unfinished over-long line and skips its rest up to the newline', () => {
    const first = whole('ok\n0123456789abcdefXY');
    expect(first).toMatchObject({ start: 0, end: 19, state: { skipping: true } });
    expect(whole('more rest\nnext\n', 16, first.state)).toMatchObject({ start: 10, end: 15, state: { skipping: false } });
  });

  it('skips a whole read that is still the rest of a cut line', () => {
    expect(whole('rest without end', 16, { skipping: true })).toMatchObject({ start: 16, end: 16, state: { skipping: true } });
  });

  it('looks only at the first n bytes of the buffer', () => {
    const buf = Buffer.from('a\nb\nstale\n');
    expect(wholeLines(buf, 3, 16, { skipping: false })).toEqual({ start: 0, end: 2 });
  });
});

describe('countNewlines', () => {
  it('counts newlines within the range', () => {
    expect(countNewlines(Buffer.from('\na\nb\n\nc'), 1, 6)).toBe(3);
  });
});
