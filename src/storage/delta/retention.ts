/**
 * The two retentions of a Delta table, named as Delta names them:
 * - log retention (`delta.logRetentionDuration`, default 30 days): how long the log keeps the versions
 *   time travel can read; older commits and checkpoints go at log cleanup (clean-up-log.ts);
 * - deleted-file retention (`delta.deletedFileRetentionDuration`, default 7 days): how long a removed
 *   data file stays for time travel; checkpoints keep its tombstone that long, VACUUM deletes it after.
 * A table property in metaData.configuration wins over the caller's option, as in Delta. Its value is
 * Delta's interval text: `interval 30 days`, `7 days`, `interval 1 day 12 hours`.
 */
import type { MetaDataAction } from './actions.ts';
import { DeltaError } from './delta-error.ts';

export const DAY_MS = 86_400_000;

export const RETENTIONS = {
  log: { property: 'delta.logRetentionDuration', defaultMs: 30 * DAY_MS },
  deletedFile: { property: 'delta.deletedFileRetentionDuration', defaultMs: 7 * DAY_MS },
} as const;

export type RetentionKind = keyof typeof RETENTIONS;

/** The units of Delta's intervals; months and years are refused (Delta refuses them too). */
const UNIT_MS: Record<string, number> = {
  week: 7 * DAY_MS,
  day: DAY_MS,
  hour: 3_600_000,
  minute: 60_000,
  second: 1_000,
  millisecond: 1,
  microsecond: 0.001,
};

/** `[interval] <n> <unit> [<n> <unit> ...]` in ms (units singular or plural); undefined if not of that form. */
export function parseIntervalMs(text: string): number | undefined {
  const words = text.trim().toLowerCase().split(/\s+/);
  if (words[0] === 'interval') words.shift();
  if (words.length === 0 || words.length % 2 !== 0) return undefined;
  let totalMs = 0;
  for (let index = 0; index < words.length; index += 2) {
    const count = words[index]!;
    const unitMs = UNIT_MS[words[index + 1]!.replace(/s$/, '')];
    if (!/^\d+$/.test(count) || unitMs === undefined) return undefined;
    totalMs += Number(count) * unitMs;
  }
  return Math.floor(totalMs);
}

/** Throws (with the API name) unless an option's retention is an integer number of ms >= 0. */
export function checkRetentionOption(api: string, name: string, valueMs: number | undefined): void {
  if (valueMs !== undefined && !(Number.isInteger(valueMs) && valueMs >= 0))
    throw new Error(`${api}: ${name} must be an integer number of ms >= 0, got ${valueMs}`);
}

/** The retention of `kind` for a table: its property when set, else the option, else Delta's default. */
export function retentionMs(
  table: string,
  metaData: MetaDataAction | undefined,
  kind: RetentionKind,
  optionMs: number | undefined,
): number {
  const { property, defaultMs } = RETENTIONS[kind];
  const text = metaData?.configuration[property];
  if (text === undefined) return optionMs ?? defaultMs;
  const parsedMs = parseIntervalMs(text);
  if (parsedMs === undefined)
    throw new DeltaError(
      'invalid_request',
      `delta: ${table} has ${property} = ${JSON.stringify(text)}, not an interval like "interval 30 days"`,
    );
  return parsedMs;
}
