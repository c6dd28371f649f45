/**
 * Did the jobs keep up with the live rate? The rule (stated in BENCHMARKS.md):
 * - the generator really produced the rate: its steady-state rate (second half of the run, from its own
 *   clock; the first seconds are the simulation's users starting up) is at least 95 % of the target;
 * - the lag is bounded: over the second half it never exceeded 10 s of input (rate × 10 s; the 1 s trigger
 *   and 1 s commit interval plus stalls of a few seconds — far inside the original design's 30–60 s);
 * - the lag drains to 0 within 30 s once the generator stops.
 */
export const LAG_BOUND_S = 10;
export const DRAIN_LIMIT_S = 30;
export const MIN_RATE_FRACTION = 0.95;

export interface KeepUpInput {
  targetPerS: number;
  /** Generator progress: records so far at ms since its first record. */
  progress: readonly { records: number; atMs: number }[];
  /** Total lag of the jobs, sampled about once a second while the generator ran. */
  lags: readonly number[];
  drainS: number;
}

export interface KeepUp {
  steadyPerS: number;
  lagP90SecondHalf: number;
  lagMaxSecondHalf: number;
  lagBound: number;
  drainS: number;
  keepsUp: boolean;
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

/** Records per second between the middle and the last progress line. */
export function steadyRate(progress: KeepUpInput['progress']): number {
  if (progress.length < 2) return 0;
  const last = progress.at(-1)!;
  const middle = progress.find((line) => line.atMs >= last.atMs / 2) ?? progress[0]!;
  const seconds = (last.atMs - middle.atMs) / 1000;
  return seconds > 0 ? Math.round((last.records - middle.records) / seconds) : 0;
}

export function keepUp({ targetPerS, progress, lags, drainS }: KeepUpInput): KeepUp {
  const secondHalf = lags.slice(Math.floor(lags.length / 2)).toSorted((a, b) => a - b);
  const steadyPerS = steadyRate(progress);
  const lagBound = targetPerS * LAG_BOUND_S;
  const lagMaxSecondHalf = secondHalf.at(-1) ?? 0;
  return {
    steadyPerS,
    lagP90SecondHalf: percentile(secondHalf, 0.9),
    lagMaxSecondHalf,
    lagBound,
    drainS,
    keepsUp:
      steadyPerS >= MIN_RATE_FRACTION * targetPerS && lagMaxSecondHalf <= lagBound && drainS <= DRAIN_LIMIT_S,
  };
}
