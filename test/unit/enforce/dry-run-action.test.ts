import type { Ban } from '../../../src/core/types';
import { createAction } from '../../../src/enforce/create-action';

const NOW = 1_700_000_000_000;
const ban = (ip: string): Ban => ({ ip, jail: 'postfix', since: NOW, until: NOW + 3_600_000, reason: 'threshold', count: 0 });

describe('dry-run action', () => {
  function make() {
    const logs: { level: string; msg: string; ctx?: object }[] = [];
    const action = createAction('dry-run', { jail: 'postfix', ports: [25], log: (level, msg, ctx) => logs.push({ level, msg, ctx }) });
    return { action, logs };
  }

  test('logs what it would ban and lists it afterwards, canonical', async () => {
    const { action, logs } = make();
    await action.setup();
    await action.ban([ban('192.0.2.1'), ban('2001:DB8::1'), ban('198.51.100.9/24')], NOW);
    expect(await action.listed()).toEqual(new Set(['192.0.2.1', '2001:db8::1', '198.51.100.0/24']));
    const would = logs.find((l) => l.msg === 'dry-run: would ban');
    expect(would?.ctx).toMatchObject({ jail: 'postfix', count: 3, bans: expect.arrayContaining([{ ip: '192.0.2.1', timeoutS: 3600, reason: 'threshold' }]) });
  });

  test('unban forgets the elements and logs it; absent ones are no error', async () => {
    const { action, logs } = make();
    await action.ban([ban('192.0.2.1'), ban('192.0.2.2')], NOW);
    await action.unban(['192.0.2.1', '203.0.113.1']);
    expect(await action.listed()).toEqual(new Set(['192.0.2.2']));
    expect(logs.map((l) => l.msg)).toContain('dry-run: would unban');
  });

  test('refuses elements that are not IPs, like the real actions', async () => {
    const { action } = make();
    await expect(action.ban([ban('not-an-ip')], NOW)).rejects.toMatchObject({ code: 'FIREWALL' });
    expect(await action.listed()).toEqual(new Set());
  });

  test('teardown forgets everything', async () => {
    const { action } = make();
    await action.ban([ban('192.0.2.1')], NOW);
    await action.teardown();
    expect(await action.listed()).toEqual(new Set());
  });
});
