import { describe, expect, it } from 'vitest';
import { decideGap, type GapCheck } from '../../src/processor/runner/retention-gap.ts';
import { RunnerError } from '../../src/processor/runner/runner-error.ts';

const CHECK: GapCheck = {
  job: 'auth',
  physicalTopic: 't1.lms.auth',
  partition: 3,
  nextOffset: 100,
  logStartOffset: 140,
};

describe('the retention-gap policy', () => {
  it('sees no gap when the log start has not passed the next offset (control records took the offsets)', () => {
    const decision = decideGap({ ...CHECK, logStartOffset: 100 }, false);

    expect(decision).toEqual({ kind: 'no_gap' });
  });

  it('fails for good with offset_gap, naming the partition, the deleted offsets and the fix', () => {
    const decision = decideGap(CHECK, false);

    expect(decision.kind).toBe('fail');
    const error = (decision as { error: RunnerError }).error;
    expect(error).toBeInstanceOf(RunnerError);
    expect(error.code).toBe('offset_gap');
    expect(error.message).toContain('job auth: t1.lms.auth partition 3');
    expect(error.message).toContain('deleted offsets 100..139 (the log now starts at 140)');
    expect(error.message).toContain('--reset-on-gap');
  });

  it('skips to the log start with --reset-on-gap', () => {
    const decision = decideGap(CHECK, true);

    expect(decision).toEqual({
      kind: 'skip',
      fromOffset: 100,
      toOffset: 140,
      where: 't1.lms.auth partition 3',
    });
  });
});
