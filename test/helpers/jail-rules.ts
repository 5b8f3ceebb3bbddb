/** A jail's rules as the shipped mail jails resolve them, for pure decide tests. */
import { resolveJail } from '../../src/config/resolve-jail';
import type { JailPatch } from '../../src/config/schema';
import type { JailRules } from '../../src/decide/jail-rules';

export function shippedRules(patch: JailPatch = {}): JailRules {
  const { jail, problems } = resolveJail('postfix', { filters: ['postfix'], maxRetry: 5, ...patch }, 'test:1');
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return jail.rules;
}
