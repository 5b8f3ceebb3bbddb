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

  test('finds a short keyword from its rarest byte, checking the bytes before it', () => {
    // 'A' is rarer than ' ' here, so ' A=' is looked for as 'A=': the lines with 'xA=' must not count
    const text = 'a b c xA= d\n  e  A= f\nxA=xA=\n A=\nA= at start\n';
    expect([...new KeywordScanner([' A=']).lineStarts(Buffer.from(text))]).toEqual(naiveLineStarts(text, [' A=']));
    expect([...new KeywordScanner([' A=']).lineStarts(Buffer.from(text))]).toEqual([12, 29]);
  });

  test('drops a keyword that contains another', () => {
    const text = 'x auth y\nx authentication failed y\n';
    expect([...new KeywordScanner(['authentication failed', 'auth']).lineStarts(Buffer.from(text))]).toEqual([0, 9]);
  });

  test('marks which keywords one decoded line holds, long and short, and says whether any', () => {
    const scanner = new KeywordScanner(keywords);
    const present = new Uint8Array(keywords.length).fill(7);
    expect(scanner.markPresent('x PREGREET y ]: < z ehlo=1 quit=1 commands=2', present)).toBe(true);
    expect([...present]).toEqual([0, 0, 1, 1, 1, 0]);
    expect(scanner.markPresent('nothing to see', present)).toBe(false);
    expect([...present]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test('marks a keyword that contains another one as well as the one it contains', () => {
    const present = new Uint8Array(2);
    new KeywordScanner(['authentication failed', 'auth']).markPresent('x authentication failed y', present);
    expect([...present]).toEqual([1, 1]);
  });

  test('marks keywords past non-ASCII text, and only exact code units', () => {
    const scanner = new KeywordScanner(['authentication failed', 'Ärger über', 'PREGREET']);
    const present = new Uint8Array(3);
    // U+0150 and U+0250 fold to the same table bytes as 'P' and 'P': a fold must not make a match
    expect(scanner.markPresent('\u0150REGREET é Ärger über x', present)).toBe(true);
    expect([...present]).toEqual([0, 1, 0]);
  });

  test('agrees with String.includes on random lines built from keyword fragments', () => {
    const r = rng(5);
    const parts = ['a', ' ', 'e', 'PRE', 'GREET', 'auth', 'entication failed', ' rej', 'ect: ', ']: <', '<<', '< ', 'é', '\u0150', ...keywords];
    const scanner = new KeywordScanner(keywords);
    const present = new Uint8Array(keywords.length);
    for (let round = 0; round < 2000; round++) {
      let text = '';
      const n = Math.floor(r() * 40);
      for (let i = 0; i < n; i++) text += parts[Math.floor(r() * parts.length)];
      const any = scanner.markPresent(text, present);
      expect([text, [...present]]).toEqual([text, keywords.map((k) => (text.includes(k) ? 1 : 0))]);
      expect(any).toBe(keywords.some((k) => text.includes(k)));
    }
  });
});
