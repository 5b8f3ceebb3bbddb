/** Time is injected: the daemon passes the wall clock, replay and tests pass a fixed or log-driven one. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };


/**
 * A ban's end as text for logs and replies: ISO 8601 in UTC, or `never` for a permanent ban
 * (until = Infinity: the fleet's wire and active set carry one as null), where `toISOString` throws.
 */
export function untilText(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : 'never';
}
