/**
 * Switches on what match/bounded-regexp.ts relies on: V8 finishes a regex that backtracks more
 * than BACKTRACKS_BEFORE_LINEAR times on its linear-time engine, and recognises the `l` flag that
 * proves, at load, that a regex is one that engine can run. Set once per process, before any filter
 * is compiled; V8 reads these flags when a regex runs, so setting them late is safe.
 */
import { setFlagsFromString } from 'node:v8';
import { isLinearEngineOn } from '../match/bounded-regexp';

/**
 * A linear regex backs off at most a few times per character: a few hundred thousand times on a
 * 64 KiB line, under a millisecond or two on the fast engine. Only beyond that (an exponential
 * regex) is the linear engine, slower per character, worth its cost. V8's default is 50,000.
 */
export const BACKTRACKS_BEFORE_LINEAR = 1_000_000;

export function enableBoundedRegExps(): void {
  if (isLinearEngineOn()) return;
  setFlagsFromString('--enable-experimental-regexp-engine');
  setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  setFlagsFromString(`--regexp-backtracks-before-fallback=${BACKTRACKS_BEFORE_LINEAR}`);
}
