import { decodeUser } from '../../../src/match/decode-user';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('decodeUser', () => {
  test('decodes AUTH LOGIN base64 user names', () => {
    expect(decodeUser('aGFua3M=', 'base64')).toBe('hanks');
    expect(decodeUser(b64('jürgen@example.com'), 'base64')).toBe('jürgen@example.com');
  });

  test('takes the authentication identity from AUTH PLAIN and drops the password', () => {
    expect(decodeUser(b64('\u0000root\u0000secret'), 'sasl-plain')).toBe('root');
    expect(decodeUser(b64('admin\u0000root\u0000secret'), 'sasl-plain')).toBe('root');
  });

  test('returns nothing for text that is not a base64 user name', () => {
    expect(decodeUser('!!notbase64!!', 'base64')).toBeUndefined();
    expect(decodeUser(b64('\u0001\u0002binary'), 'base64')).toBeUndefined();
    expect(decodeUser(b64('no separators'), 'sasl-plain')).toBeUndefined();
    expect(decodeUser('A'.repeat(5000), 'base64')).toBeUndefined();
  });
});
