/** Issue 13: events and active bans are signed with the fleet's key; anything else is dropped. */
import { deriveFleetKeys } from '../../../src/fleet/fleet-secret';
import { eventText, senderPrefix, Signer } from '../../../src/fleet/fleet-event';

const keys = deriveFleetKeys('the-fleet-secret-0123456789');
const signer = new Signer(keys.signKey);
const event = { v: 1, node: 'mx1', inc: 'a1', seq: 3, t: 1, bans: [['postfix', '192.0.2.1', 1, null, 'threshold', 0]] };

describe('fleet event signatures', () => {
  it('opens an event signed with the fleet key, a permanent ban included', () => {
    const signed = signer.sign(JSON.stringify(event));
    expect(signer.openEvent(signed)).toEqual(event);
  });

  it('writes an event around the outbox body as JSON.stringify would, starting with its sender', () => {
    const text = eventText('mx1', 'a1', 3, 1, JSON.stringify({ bans: event.bans }));
    expect(text).toBe(JSON.stringify(event));
    expect(text.startsWith(senderPrefix('mx1'))).toBe(true);
    expect(JSON.parse(eventText('mx"1', 'a1', 4, 2, '{}'))).toEqual({ v: 1, node: 'mx"1', inc: 'a1', seq: 4, t: 2 });
  });

  it('drops an event that is unsigned, signed with another key, tampered with or malformed', () => {
    const payload = JSON.stringify(event);
    const other = new Signer(deriveFleetKeys('another-secret-0123456789').signKey);
    expect(signer.openEvent({ payload, sig: '' })).toBeNull();
    expect(signer.openEvent({ payload })).toBeNull();
    expect(signer.openEvent(other.sign(payload))).toBeNull();
    const { sig } = signer.sign(payload);
    expect(signer.openEvent({ payload: payload.replace('192.0.2.1', '192.0.2.2'), sig })).toBeNull();
    expect(signer.openEvent(signer.sign(JSON.stringify({ ...event, bans: [['postfix']] })))).toBeNull();
    expect(signer.openEvent(signer.sign('not json'))).toBeNull();
    // signed, but an address no firewall may be handed
    expect(signer.openEvent(signer.sign(JSON.stringify({ ...event, bans: [['postfix', '192.0.2.1; drop', 1, null, 'threshold', 0]] })))).toBeNull();
    expect(signer.openEvent(signer.sign(JSON.stringify({ ...event, unbans: [{ ip: 'x', jail: null, lifted: [] }] })))).toBeNull();
  });

  it('drops a signed event or active ban of the wrong shape, field by field', () => {
    const strike = ['postfix', '192.0.2.1', 1, 'auth-failure', 1, null];
    const unban = { ip: '192.0.2.1', jail: 'postfix', lifted: ['postfix 192.0.2.1'] };
    const opens = (body: object) => signer.openEvent(signer.sign(JSON.stringify({ ...event, ...body }))) !== null;
    expect(opens({ strikes: [strike], unbans: [unban, { ...unban, ip: '*', jail: null }] })).toBe(true);
    expect(opens({ extra: 1 })).toBe(false);
    expect(opens({ v: 2 })).toBe(false);
    expect(opens({ seq: 0 })).toBe(false);
    expect(opens({ seq: 1.5 })).toBe(false);
    expect(opens({ node: '' })).toBe(false);
    expect(opens({ bans: {} })).toBe(false);
    expect(opens({ bans: [['postfix', '192.0.2.1', 1, null, 'threshold', -1]] })).toBe(false);
    expect(opens({ bans: [['Postfix', '192.0.2.1', 1, null, 'threshold', 0]] })).toBe(false);
    expect(opens({ bans: [['postfix', '192.0.2.1', 1, null, 'threshold', 0, 'more']] })).toBe(false);
    expect(opens({ strikes: [['postfix', '192.0.2.1', 1, 'no-such-event', 1, null]] })).toBe(false);
    expect(opens({ strikes: [['postfix', '192.0.2.1', '1', 'auth-failure', 1, null]] })).toBe(false);
    expect(opens({ strikes: [strike.slice(0, 5)] })).toBe(false);
    expect(opens({ unbans: [{ ...unban, by: 'x' }] })).toBe(false);
    expect(opens({ unbans: [{ ip: '192.0.2.1', jail: 'postfix', extra: [] }] })).toBe(false);
    expect(opens({ unbans: [{ ...unban, lifted: [1] }] })).toBe(false);
    expect(signer.openEvent(signer.sign('[1]'))).toBeNull();
    const active = (x: unknown) => signer.openActive(signer.sign(JSON.stringify(x)));
    expect(active({ node: 'mx1', ban: event.bans[0] })).toMatchObject({ ip: '192.0.2.1', until: Infinity, node: 'mx1' });
    expect(active({ node: 'mx1', ban: event.bans[0], extra: 1 })).toBeNull();
    expect(active({ node: 'mx1', ban: ['postfix', '300.0.0.1', 1, null, 'threshold', 0] })).toBeNull();
  });

  it('signs an active ban with the node that made it', () => {
    const ban = { ip: '192.0.2.1', jail: 'postfix', since: 1, until: 2, reason: 'threshold', count: 0, node: 'mx2' };
    expect(signer.openActive(signer.signActive(ban, 'mx1'))).toEqual(ban);
    expect(signer.openActive(signer.signActive({ ...ban, node: undefined }, 'mx1'))?.node).toBe('mx1');
  });

  it('derives different keys for signing and for hashing user names, the same on every node', () => {
    expect(deriveFleetKeys('the-fleet-secret-0123456789')).toEqual(keys);
    expect(keys.userKey).not.toBe(keys.signKey.toString('hex'));
  });
});
