/**
 * Events per simulated second that one user makes at the simulation's natural pace (measured: 314,286
 * users make ~11,500 events/s, steady after the first 30 s). A live run sized at exactly the rate keeps
 * event time on the wall clock; headroom would let the rate limit hold the simulation back, and event
 * time would fall behind (~24 s after 3 min at 10,000/s), which users would see as finality latency.
 */
export const EVENTS_PER_S_PER_USER = 0.0366;

/** The population that makes `ratePerS` at the simulation's natural pace. */
export function usersForRate(ratePerS: number): number {
  return Math.ceil(ratePerS / EVENTS_PER_S_PER_USER);
}
