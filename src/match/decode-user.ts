/**
 * User names as some MTAs log them: IceWarp writes the raw AUTH exchange, so AUTH LOGIN's user is
 * base64 on the client's next line and AUTH PLAIN's is the middle field of `authzid\0authcid\0pw`.
 * Only the user survives decoding; the password bytes are dropped here.
 */
export type UserEncoding = 'base64' | 'sasl-plain';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function decodeUser(text: string, encoding: UserEncoding): string | undefined {
  if (text.length > 1024 || !BASE64.test(text)) return undefined;
  const raw = Buffer.from(text, 'base64').toString('utf8');
  const user = encoding === 'sasl-plain' ? raw.split('\0')[1] : raw;
  // Control characters mean it was not a user name (or not base64 at all): better no user than junk.
  if (!user || /[\u0000-\u001f\u007f\ufffd]/.test(user)) return undefined;
  return user;
}
