/** Time is injected: the daemon passes the wall clock, replay and tests pass a fixed or log-driven one. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

