import { KeywordScanner } from '../../../src/match/keyword-scanner';

/** The obvious implementation, to compare the one-pass scanner against. */
function naiveLineStarts(text: string, keywords: string[]): number[] {
  const starts: number[] = [];
  let at = 0;
  for (const line of text.split('\n')) {
    if (keywords.some((k) => line.includes(k))) starts.push(Buffer.byteLength(text.slice(0, at)));
    at += line.length + 1;
  }
  return starts;
}

function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

describe('KeywordScanner', () => {
  const keywords = ['authentication failed', ' reject: ', 'PREGREET', ']: < ', 'ehlo=1 quit=1 commands=2', '<<< '];

  test('finds the lines holding long and short keywords, at line starts, once each', () => {
    const text = 'a reject: no\nx  reject: yes\nPREGREET PREGREET\nfoo]: < bar\nnothing\n<<< EHLO';
    const starts = [...new KeywordScanner(keywords).lineStarts(Buffer.from(text))];
    expect(starts).toEqual(naiveLineStarts(text, keywords));
    expect(starts).toEqual([0, 13, 28, 46, 66]);
  });

  test('finds a keyword at the very start and the very end of the buffer', () => {
    const text = 'PREGREET\nx\nends with PREGREET';
    expect([...new KeywordScanner(keywords).lineStarts(Buffer.from(text))]).toEqual([0, 11]);
  });

  test('agrees with a naive scan on random text built from keyword fragments', () => {
    const r = rng(7);
    const parts = ['a', ' ', '\n', 'e', 'PRE', 'GREET', 'auth', 'entication failed', ' rej', 'ect: ', ']: <', ' ', '<<', '< ', 'é', ...keywords];
    for (let round = 0; round < 30; round++) {
      let text = '';
      while (text.length < 5000) text += parts[Math.floor(r() * parts.length)];
      expect([...new KeywordScanner(keywords).lineStarts(Buffer.from(text))]).toEqual(naiveLineStarts(text, keywords));
    }
  });

  test('drops a keyword that contains another', () => {
    const text = 'x auth y\nx authentication failed y\n';
    expect([...new KeywordScanner(['authentication failed', 'auth']).lineStarts(Buffer.from(text))]).toEqual([0, 9]);
  });
});
