import type { LineEvent } from '../../../src/core/types';
import { compileFilter } from '../../../src/match/compile-filter';
import type { FilterDef } from '../../../src/match/filter-schema';
import { Matcher } from '../../../src/match/matcher';

const REF = Date.parse('2015-06-01T00:00:00Z');

/** A small session-keyed filter in the shape of the shipped ones. */
const demo: FilterDef = {
  prefix: '<TIME> mx app\\[(?<session>\\d+)\\]: ',
  defs: { client: '[\\w.-]*\\[<HOST>\\](?::\\d+)?' },
  fingerprints: { helo: ['ylmf-pc'] },
  ignore: ['fail from %(client): backend down'],
  rules: [
    { id: 'greet', event: 'helo-fingerprint', keywords: ['EHLO'], regex: 'EHLO from %(client): (?<helo>\\S+)', when: ['start'], then: { state: 'greeted' } },
    { id: 'quit', event: 'scanner', keywords: ['QUIT'], regex: 'QUIT from %(client)', when: ['greeted'] },
    { id: 'cmd', keywords: ['CMD from'], regex: 'CMD from %(client)', then: { state: 'busy' } },
    { id: 'user', keywords: ['USER from'], regex: 'USER from %(client): (?<user>\\S+)', decode: { user: 'base64' } },
    { id: 'fail', event: 'auth-failure', keywords: ['fail from'], regex: 'fail from %(client)', then: { forget: ['user'] } },
    { id: 'helo-rej', event: 'helo-reject', keywords: ['bad helo'], regex: 'bad helo %(client) <(?<helo>[^>]*)>' },
  ],
};

const line = (text: string, n = 1): LineEvent => ({ source: 'test', line: n, text });
const stamp = (s: number) => `Feb 13 16:14:${String(s).padStart(2, '0')}`;

describe('Matcher', () => {
  test('reads IPv4, IPv6 and IPv4-mapped IPv6 addresses, with brackets and ports', () => {
    const m = new Matcher([compileFilter('demo', demo)]);
    const ips = ['[192.0.2.1]', '[2001:DB8:0::1]:25', '[::ffff:192.0.2.2]', 'host.example[198.51.100.3]:587'].map(
      (c) => m.match(line(`${stamp(1)} mx app[1]: fail from ${c}`), REF)?.ip,
    );
    expect(ips).toEqual(['192.0.2.1', '2001:db8::1', '192.0.2.2', '198.51.100.3']);
  });

  test('yields nothing for an address that does not parse', () => {
    const m = new Matcher([compileFilter('demo', demo)]);
    expect(m.match(line(`${stamp(1)} mx app[1]: fail from [300.1.2.3]`), REF)).toBeNull();
  });

  test('takes the time from the line, or from the source when it knows better', () => {
    const m = new Matcher([compileFilter('demo', demo)]);
    const f = m.match(line(`2015-02-13T16:14:24Z mx app[1]: fail from [192.0.2.1]`), REF);
    expect(f?.time).toBe(Date.parse('2015-02-13T16:14:24Z'));
    const g = m.match({ ...line(`2015-02-13T16:14:24Z mx app[1]: fail from [192.0.2.1]`), time: 42 }, REF);
    expect(g?.time).toBe(42);
  });

  test('ignores a line matching an ignore pattern at the message start, but not the same words elsewhere', () => {
    const m = new Matcher([compileFilter('demo', demo)]);
    expect(m.match(line(`${stamp(1)} mx app[1]: fail from [192.0.2.1]: backend down`), REF)).toBeNull();
    expect(m.match(line(`${stamp(1)} mx app[1]: fail from [192.0.2.1]: user fail from [192.0.2.1]: backend down`), REF)?.event).toBe('auth-failure');
  });

  test('reports a helo-reject of a fingerprint HELO as helo-fingerprint, comparing case-insensitively', () => {
    const m = new Matcher([compileFilter('demo', demo)]);
    const f = m.match(line(`${stamp(1)} mx app[1]: bad helo [192.0.2.1] <YLMF-PC>`), REF);
    expect(f).toMatchObject({ event: 'helo-fingerprint', helo: 'YLMF-PC', fingerprint: 'ylmf-pc', rule: 'helo-rej' });
    expect(m.match(line(`${stamp(2)} mx app[2]: bad helo [192.0.2.1] <example>`), REF)?.event).toBe('helo-reject');
  });

  test('an EHLO yields only when its HELO is a fingerprint, and the session remembers it for later failures', () => {
    const m = new Matcher([compileFilter('demo', demo)]);
    expect(m.match(line(`${stamp(1)} mx app[7]: EHLO from [192.0.2.1]: mail.example.org`), REF)).toBeNull();
    expect(m.match(line(`${stamp(2)} mx app[8]: EHLO from [192.0.2.2]: ylmf-pc`), REF)?.event).toBe('helo-fingerprint');
    expect(m.match(line(`${stamp(3)} mx app[8]: fail from [192.0.2.2]`), REF)).toMatchObject({
      event: 'auth-failure',
      helo: 'ylmf-pc',
      fingerprint: 'ylmf-pc',
    });
  });

  test('a session key reused by another address starts a new session', () => {
    const m = new Matcher([compileFilter('demo', demo)]);
    m.match(line(`${stamp(1)} mx app[8]: EHLO from [192.0.2.2]: ylmf-pc`), REF);
    const f = m.match(line(`${stamp(2)} mx app[8]: fail from [192.0.2.3]`), REF);
    expect(f?.helo).toBeUndefined();
    expect(f?.fingerprint).toBeUndefined();
  });

  test('EHLO then QUIT is a scanner, EHLO then anything then QUIT is not', () => {
    const m = new Matcher([compileFilter('demo', demo)]);
    m.match(line(`${stamp(1)} mx app[1]: EHLO from [192.0.2.1]: User`), REF);
    expect(m.match(line(`${stamp(2)} mx app[1]: QUIT from [192.0.2.1]`), REF)).toMatchObject({ event: 'scanner', helo: 'User', rule: 'quit' });
    m.match(line(`${stamp(3)} mx app[2]: EHLO from [192.0.2.4]: User`), REF);
    m.match(line(`${stamp(4)} mx app[2]: CMD from [192.0.2.4]`), REF);
    expect(m.match(line(`${stamp(5)} mx app[2]: QUIT from [192.0.2.4]`), REF)).toBeNull();
  });

  test('decodes a base64 user into the session and forgets it after the failure', () => {
    const m = new Matcher([compileFilter('demo', demo)]);
    m.match(line(`${stamp(1)} mx app[3]: USER from [192.0.2.5]: ${Buffer.from('hanks').toString('base64')}`), REF);
    expect(m.match(line(`${stamp(2)} mx app[3]: fail from [192.0.2.5]`), REF)?.user).toBe('hanks');
    expect(m.match(line(`${stamp(3)} mx app[3]: fail from [192.0.2.5]`), REF)?.user).toBeUndefined();
  });

  test('forgets a session after sessionTtlMs of log time', () => {
    const m = new Matcher([compileFilter('demo', demo)], { sessionTtlMs: 10_000 });
    m.match(line(`Feb 13 16:14:00 mx app[9]: EHLO from [192.0.2.6]: ylmf-pc`), REF);
    expect(m.match(line(`Feb 13 16:14:09 mx app[9]: fail from [192.0.2.6]`), REF)?.fingerprint).toBe('ylmf-pc');
    expect(m.match(line(`Feb 13 16:14:30 mx app[9]: fail from [192.0.2.6]`), REF)?.fingerprint).toBeUndefined();
  });

  test('keeps at most maxSessions sessions, dropping the least recently used', () => {
    const m = new Matcher([compileFilter('demo', demo)], { maxSessions: 2 });
    m.match(line(`${stamp(1)} mx app[1]: EHLO from [192.0.2.1]: ylmf-pc`), REF);
    m.match(line(`${stamp(2)} mx app[2]: EHLO from [192.0.2.2]: ylmf-pc`), REF);
    m.match(line(`${stamp(3)} mx app[1]: CMD from [192.0.2.1]`), REF); // touch 1: 2 is now the oldest
    m.match(line(`${stamp(4)} mx app[3]: EHLO from [192.0.2.3]: ylmf-pc`), REF);
    expect(m.match(line(`${stamp(5)} mx app[1]: fail from [192.0.2.1]`), REF)?.fingerprint).toBe('ylmf-pc');
    expect(m.match(line(`${stamp(6)} mx app[2]: fail from [192.0.2.2]`), REF)?.fingerprint).toBeUndefined();
    expect(m.match(line(`${stamp(7)} mx app[3]: fail from [192.0.2.3]`), REF)?.fingerprint).toBe('ylmf-pc');
  });

  test('keeps the sessions of two sources apart', () => {
    const m = new Matcher([compileFilter('demo', demo)]);
    m.match({ source: 'a', line: 1, text: `${stamp(1)} mx app[1]: EHLO from [192.0.2.1]: ylmf-pc` }, REF);
    const f = m.match({ source: 'b', line: 1, text: `${stamp(2)} mx app[1]: fail from [192.0.2.1]` }, REF);
    expect(f?.fingerprint).toBeUndefined();
  });

  test('tries filters in order: the first that yields wins', () => {
    const other: FilterDef = { prefix: '<TIME> mx app\\[\\d+\\]: ', rules: [{ id: 'x', event: 'scanner', keywords: ['fail from'], regex: 'fail from \\[<HOST>\\]' }] };
    const text = `${stamp(1)} mx app[1]: fail from [192.0.2.1]`;
    expect(new Matcher([compileFilter('demo', demo), compileFilter('other', other)]).match(line(text), REF)?.filter).toBe('demo');
    expect(new Matcher([compileFilter('other', other), compileFilter('demo', demo)]).match(line(text), REF)?.filter).toBe('other');
  });

  test('runs no rule on a line without its keyword', () => {
    // the regex alone would match; without the keyword the rule is never tried
    const def: FilterDef = { prefix: '<TIME> ', rules: [{ id: 'x', event: 'scanner', keywords: ['nomatch-keyword'], regex: '\\[<HOST>\\]' }] };
    expect(new Matcher([compileFilter('k', def)]).match(line(`${stamp(1)} [192.0.2.1]`), REF)).toBeNull();
  });
});
