import type { Strike } from '../../../src/core/types';
import { useTempStores } from './temp-store';

const t = useTempStores();
const T0 = Date.UTC(2025, 0, 15);

const strike = (ip: string): Strike => ({ ip, jail: 'postfix-auth', time: T0, event: 'auth-failure', weight: 1, rule: 'postfix/sasl' });

describe('a read-only second handle', () => {
  it('sees what the writer committed while the writer holds the database open', () => {
    const writer = t.open();
    writer.addStrikes([strike('192.0.2.1')]);
    writer.recordBans([{ ip: '192.0.2.1', jail: 'postfix-auth', since: T0, until: T0 + 60_000, reason: 'threshold', count: 0 }]);
    const reader = t.open({ readonly: true });
    expect(reader.strikesOf('192.0.2.1')).toHaveLength(1);
    expect(reader.activeBans(T0).map((b) => b.ip)).toEqual(['192.0.2.1']);
    writer.addStrikes([strike('192.0.2.2')]);
    expect(reader.strikesOf('192.0.2.0/24')).toHaveLength(2);
  });

  it('does not see a write until the writer commits it', () => {
    const writer = t.open();
    const reader = t.open({ readonly: true });
    writer.transaction(() => {
      writer.addStrikes([strike('192.0.2.1')]);
      expect(writer.stats(T0).strikes).toBe(1);
      expect(reader.stats(T0).strikes).toBe(0);
    });
    expect(reader.stats(T0).strikes).toBe(1);
  });

  it('cannot write', () => {
    t.open().close();
    const reader = t.open({ readonly: true });
    expect(() => reader.setMeta('k', 'v')).toThrow(/readonly/i);
    expect(reader.getMeta('k')).toBeUndefined();
  });

  it('reports the size of the database and its counts', () => {
    const writer = t.open();
    writer.addStrikes([strike('192.0.2.1'), strike('192.0.2.2')]);
    const reader = t.open({ readonly: true });
    const stats = reader.stats(T0);
    expect(stats).toMatchObject({ strikes: 2, activeBans: 0 });
    expect(stats.bytes).toBeGreaterThan(0);
  });
});
