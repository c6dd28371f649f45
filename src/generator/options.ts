/** The generator's options, their documented defaults, and the one function that completes and checks them. */
import { DEFAULT_PARTITIONS, TOPICS, isTopic, type Topic } from '../events/topics.ts';

export const FAULT_KINDS = ['late', 'duplicate', 'invalid', 'future'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export type FaultFractions = Record<FaultKind, number>;

/** File runs start here unless told otherwise (a Monday morning), so they need no wall clock. */
export const DEFAULT_START_TIME_MS = Date.UTC(2025, 0, 6, 8, 0, 0, 0);

export interface GeneratorOptions {
  /** Seeds faker (the world) and the simulation's PRNG. Default 1. */
  seed: number;
  /** Stop after this many records (faults included). Unbounded when neither this nor durationMs is set. */
  events?: number;
  /** Stop once simulated ingestion time reaches startTimeMs + durationMs. */
  durationMs?: number;
  /** Population size; about 0.045 events/s per user on average (sessions, videos, quizzes...). Default 100. */
  users: number;
  /** Default 20 (each with materials, videos, quizzes and assignments). */
  courses: number;
  /** Simulated time of the first event. Default DEFAULT_START_TIME_MS. */
  startTimeMs: number;
  /** Records are ingested event_time + a delay in [0, disorderMs], in ingestion order. Default 0 (in order). */
  disorderMs: number;
  /** Fractions of all emitted records that are each kind of fault. Default 0 each; the sum must be ≤ 1. */
  faults: FaultFractions;
  /** Partitions per topic, for Kafka's default partitioner. Default 6. */
  partitions: number;
  /** Only events of these topics are emitted. Default all six. */
  topics: readonly Topic[];
  /** User ids are `<userPrefix>-<n>`, so a test can pick out its own users. Default `u`. */
  userPrefix: string;
  /** The processor's watermark delay, which `late` faults must fall behind. Default 120000 (2 min). */
  watermarkDelayMs: number;
  /**
   * Kafka runs: the wall clock, since the broker stamps records and `future` faults must be ahead of
   * it. File runs leave it unset (no wall clock anywhere, so output is a function of the options).
   */
  wallClockMs?: () => number;
}

export const DEFAULT_OPTIONS: Readonly<GeneratorOptions> = {
  seed: 1,
  users: 100,
  courses: 20,
  startTimeMs: DEFAULT_START_TIME_MS,
  disorderMs: 0,
  faults: { late: 0, duplicate: 0, invalid: 0, future: 0 },
  partitions: DEFAULT_PARTITIONS,
  topics: TOPICS,
  userPrefix: 'u',
  watermarkDelayMs: 120_000,
};

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`generator: ${message}`);
}

/** Fills in defaults and checks every value once, with the value in the message. */
export function resolveGeneratorOptions(partial: Partial<GeneratorOptions> = {}): GeneratorOptions {
  const options: GeneratorOptions = {
    ...DEFAULT_OPTIONS,
    ...partial,
    faults: { ...DEFAULT_OPTIONS.faults, ...partial.faults },
  };
  check(Number.isSafeInteger(options.seed), `seed must be an integer, got ${options.seed}`);
  const { events, durationMs } = options;
  check(
    events === undefined || (Number.isSafeInteger(events) && events >= 0),
    `events must be ≥ 0, got ${events}`,
  );
  check(durationMs === undefined || durationMs >= 0, `durationMs must be ≥ 0, got ${durationMs}`);
  check(Number.isSafeInteger(options.users) && options.users > 0, `users must be > 0, got ${options.users}`);
  check(
    Number.isSafeInteger(options.courses) && options.courses > 0,
    `courses must be > 0, got ${options.courses}`,
  );
  check(
    Number.isSafeInteger(options.startTimeMs) && options.startTimeMs >= 0,
    `startTimeMs must be ≥ 0, got ${options.startTimeMs}`,
  );
  check(
    Number.isSafeInteger(options.disorderMs) && options.disorderMs >= 0,
    `disorderMs must be ≥ 0, got ${options.disorderMs}`,
  );
  check(
    Number.isSafeInteger(options.partitions) && options.partitions > 0,
    `partitions must be > 0, got ${options.partitions}`,
  );
  check(options.watermarkDelayMs >= 0, `watermarkDelayMs must be ≥ 0, got ${options.watermarkDelayMs}`);
  check(
    /^[A-Za-z0-9._-]{1,40}$/.test(options.userPrefix),
    `userPrefix must be 1-40 of [A-Za-z0-9._-], got "${options.userPrefix}"`,
  );
  check(options.topics.length > 0, 'topics must not be empty');
  for (const topic of options.topics) check(isTopic(topic), `unknown topic "${topic}"`);
  let total = 0;
  for (const kind of FAULT_KINDS) {
    const fraction = options.faults[kind];
    check(fraction >= 0 && fraction <= 1, `${kind} fraction must be in [0, 1], got ${fraction}`);
    total += fraction;
  }
  check(total <= 1, `fault fractions add up to ${total}, more than 1`);
  return options;
}
