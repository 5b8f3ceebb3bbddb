/** An IP or CIDR from the command line, parsed before anything else sees it. */
import { MailjailError } from '../core/errors';
import { parseCidr } from '../core/ip';

export function parseAddressArg(text: string): string {
  const c = parseCidr(text.trim());
  if (!c) throw new MailjailError('USAGE', `not an IP address or CIDR: ${JSON.stringify(text)}`);
  return c.text;
}
