/**
 * The retention-gap policy (docs/runner.md "Retention gaps"). A fetched batch that starts after a
 * partition's next offset is a gap only when the log start moved past that offset; otherwise control
 * records took the offsets and nothing was deleted. Without --reset-on-gap the job fails for good with
 * `offset_gap`, naming the deleted offsets and the fix; with it the job skips to the log start and the gap
 * is recorded under the dead-letter prefix (`_gaps/`). The decision is returned as data.
 */
import { RunnerError } from './runner-error.ts';

export type GapDecision =
  | { kind: 'no_gap' }
  | { kind: 'skip'; fromOffset: number; toOffset: number; where: string }
  | { kind: 'fail'; error: RunnerError };

export interface GapCheck {
  job: string;
  /** Broker topic name (with its prefix), for people. */
  physicalTopic: string;
  partition: number;
  /** The partition's next offset (the checkpoint's). */
  nextOffset: number;
  /** The broker's log start offset, read after the batch arrived. */
  logStartOffset: number;
}

export function decideGap(check: GapCheck, resetOnGap: boolean): GapDecision {
  const { job, physicalTopic, partition, nextOffset, logStartOffset } = check;
  if (logStartOffset <= nextOffset) return { kind: 'no_gap' };
  const where = `${physicalTopic} partition ${partition}`;
  if (resetOnGap) return { kind: 'skip', fromOffset: nextOffset, toOffset: logStartOffset, where };
  const error = new RunnerError(
    'offset_gap',
    `job ${job}: ${where}: the checkpoint resumes at offset ${nextOffset} but retention ` +
      `deleted offsets ${nextOffset}..${logStartOffset - 1} (the log now starts at ${logStartOffset}); restart with ` +
      `--reset-on-gap to skip them (the gap is recorded under the dead-letter prefix, _gaps/)`,
  );
  return { kind: 'fail', error };
}
