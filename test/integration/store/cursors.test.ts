import type { FileCursor } from '../../../src/core/types';
import { useTempStores } from './temp-store';

const t = useTempStores();

const cursor: FileCursor = { dev: 2049, ino: 131_077, firstLineHash: 'a1b2c3d4e5f60718', offset: 1_048_576, line: 9_001, path: '/var/log/mail.log' };

describe('cursors and meta', () => {
  it('keeps file cursors across close and reopen', () => {
    const first = t.open();
    first.setCursor('postfix:/var/log/mail.log', cursor);
    first.setCursor('journal:postfix', 's=0123;i=42');
    first.close();
    const second = t.open();
    expect(second.getCursor<FileCursor>('postfix:/var/log/mail.log')).toEqual(cursor);
    expect(second.getCursor('journal:postfix')).toBe('s=0123;i=42');
    expect(second.getCursor('never-set')).toBeUndefined();
  });

  it('overwrites a cursor, and deletes it when set to undefined', () => {
    const store = t.open();
    store.setCursor('k', cursor);
    store.setCursor('k', { ...cursor, offset: 2 });
    expect(store.getCursor<FileCursor>('k')?.offset).toBe(2);
    store.setCursor('k', undefined);
    expect(store.getCursor('k')).toBeUndefined();
  });

  it('saves a cursor together with strikes, or neither, in one transaction', () => {
    const store = t.open();
    store.transaction(() => {
      store.addStrikes([{ ip: '192.0.2.1', jail: 'j', time: 1, event: 'auth-failure', weight: 1, rule: 'postfix/sasl' }]);
      store.setCursor('file', { ...cursor, offset: 10 });
    });
    expect(store.getCursor<FileCursor>('file')?.offset).toBe(10);
    expect(store.stats(0).strikes).toBe(1);
  });

  it('keeps meta values as text across reopen and overwrites them', () => {
    const first = t.open();
    first.setMeta('firewall', 'nftables');
    first.setMeta('firewall', 'ipset');
    first.close();
    const second = t.open();
    expect(second.getMeta('firewall')).toBe('ipset');
    expect(second.getMeta('missing')).toBeUndefined();
  });
});
