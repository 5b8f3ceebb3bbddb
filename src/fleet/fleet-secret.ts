/**
 * The fleet's shared secret (`secretFile`), and the two keys derived from it: one signs events, the
 * other keys the hashes of user names, so that every node hashes `info` alike (a spray spread over
 * the fleet is one spray) while the names themselves never leave the server.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MailjailError } from '../core/errors';

/** Shorter secrets are refused: the key is all that stands between Redis and a forged ban. */
const MIN_SECRET_BYTES = 16;

export interface FleetKeys {
  signKey: Buffer;
  /** Hex key for the user-name hasher. */
  userKey: string;
}

export function readFleetKeys(secretFile: string): FleetKeys {
  let text: string;
  try {
    text = readFileSync(secretFile, 'utf8').trim();
  } catch (e) {
    throw new MailjailError('CONFIG', `fleet.secretFile: cannot read ${secretFile}: ${(e as Error).message}`);
  }
  if (Buffer.byteLength(text) < MIN_SECRET_BYTES) {
    throw new MailjailError('CONFIG', `fleet.secretFile: ${secretFile} holds fewer than ${MIN_SECRET_BYTES} bytes (make one with: openssl rand -hex 32 > ${secretFile})`);
  }
  return deriveFleetKeys(text);
}

export function deriveFleetKeys(secret: string): FleetKeys {
  const derive = (purpose: string) => createHmac('sha256', secret).update(purpose).digest();
  return { signKey: derive('mailjail fleet: event signatures'), userKey: derive('mailjail fleet: user-name hashes').toString('hex') };
}
