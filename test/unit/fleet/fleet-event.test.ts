/** Issue 13: events and active bans are signed with the fleet's key; anything else is dropped. */
import { deriveFleetKeys } from '../../../src/fleet/fleet-secret';
import { Signer } from '../../../src/fleet/fleet-event';

const keys = deriveFleetKeys('the-fleet-secret-0123456789');
const signer = new Signer(keys.signKey);
const event = { v: 1, node: 'mx1', inc: 'a1', seq: 3, t: 1, bans: [['postfix', '192.0.2.1', 1, null, 'threshold', 0]] };

describe('fleet event signatures', () => {
  it('opens an event signed with the fleet key, a permanent ban included', () => {
    const signed = signer.sign(JSON.stringify(event));
    expect(signer.openEvent(signed)).toEqual(event);
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
