import { StrikeWindows } from '../../../src/decide/strike-window';

const MINUTE = 60_000;

describe('StrikeWindows', () => {
  it('counts each strike inside its own window only', () => {
    const w = new StrikeWindows();
    w.add('192.0.2.1', 0, 1, 10 * MINUTE);
    w.add('192.0.2.1', MINUTE, 0.25, 1440 * MINUTE);
    w.add('192.0.2.1', 2 * MINUTE, 0.5, 10 * MINUTE);
    expect(w.score('192.0.2.1', 5 * MINUTE)).toBe(1.75);
    expect(w.score('192.0.2.1', 11 * MINUTE)).toBe(0.75);
    expect(w.score('192.0.2.1', 13 * MINUTE)).toBe(0.25);
    expect(w.score('192.0.2.1', 1442 * MINUTE)).toBe(0);
    expect(w.size).toBe(0);
  });

  it('keeps only the newest 256 strikes of one offender', () => {
    const w = new StrikeWindows();
    for (let i = 0; i < 1000; i++) w.add('192.0.2.1', i, i < 744 ? 100 : 1, MINUTE * 60);
    expect(w.score('192.0.2.1', 1000)).toBe(256);
  });

  it('sums float weights to an exact integer', () => {
    const w = new StrikeWindows();
    for (let i = 0; i < 10; i++) w.add('192.0.2.1', i, 0.1, MINUTE);
    expect(w.score('192.0.2.1', 10)).toBe(1);
  });

  it('forgets an offender and prunes those whose strikes all left their windows', () => {
    const w = new StrikeWindows();
    w.add('192.0.2.1', 0, 1, MINUTE);
    w.add('192.0.2.2', 0, 1, 10 * MINUTE);
    w.add('192.0.2.3', 0, 1, 10 * MINUTE);
    w.forget('192.0.2.3');
    w.prune(2 * MINUTE);
    expect(w.size).toBe(1);
    expect(w.score('192.0.2.2', 2 * MINUTE)).toBe(1);
  });
});
