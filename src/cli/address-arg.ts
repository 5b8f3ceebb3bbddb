/** An IP or CIDR from the command line, parsed before anything else sees it. */
import { MailjailError } from '../core/errors';
import { parseCidr, widenedNetwork } from '../core/ip';
import { hostBitsMessage } from '../control/protocol';

export function parseAddressArg(text: string): string {
  const c = parseCidr(text.trim());
  if (!c) throw new MailjailError('USAGE', `not an IP address or CIDR: ${JSON.stringify(text)}`);
  return c.text;
}

/** A ban target: as parseAddressArg, but a network with host bits set is refused, never widened (issue 15). */
export function parseBanTargetArg(text: string): string {
  const widened = widenedNetwork(text.trim());
  if (widened) throw new MailjailError('USAGE', hostBitsMessage(text.trim(), widened));
  return parseAddressArg(text);
}
