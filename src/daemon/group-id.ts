/** The numeric id of a group named in mailjail.yaml (socketGroup); Node has no getgrnam. */
import { readFileSync } from 'node:fs';
import { MailjailError } from '../core/errors';

export function groupId(name: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
    const [group, , gid] = line.split(':');
    if (group === name) return Number(gid);
  }
  throw new MailjailError('CONFIG', `socketGroup: no group named "${name}" in /etc/group`);
}
