import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import type { JobName } from '../../src/events/topics.ts';
import { decodeSnapshot } from '../../src/processor/engine/codec/snapshot-codec.ts';
import type { JobEngine } from '../../src/processor/engine/job-engine.ts';
import { foldChain } from '../../src/processor/engine/snapshot.ts';
import { createJobEngine } from '../../src/processor/jobs.ts';
import { MINUTE_MS, T0_MS, record } from './engine-records.ts';

const OPTIONS = { watermarkDelayMs: 2 * MINUTE_MS, sessionGapMs: 10 * MINUTE_MS };

/** Two commits' worth of records of a job; the second changes, extends and closes what the first opened. */
function phases(job: JobName): [SourceRecord[], SourceRecord[]] {
  const at = (minutes: number) => T0_MS + minutes * MINUTE_MS;
  switch (job) {
    case 'assessment':
      return [
        [
          record('assignment_submitted', at(0), { submission_id: 's-1' }),
          record('assignment_submitted', at(1), { submission_id: 's-2' }),
          record('assignment_submitted', at(6), { submission_id: 's-3', course_id: 'c-2' }),
          record('quiz_completed', at(2)),
        ],
        [
          // s-1 is graded now: the delta must carry its new delay, not only the appended events
          record('assignment_graded', at(7), { submission_id: 's-1' }),
          record('assignment_submitted', at(8), { submission_id: 's-4' }),
          record('quiz_completed', at(9)),
        ],
      ];
    case 'profile_notification':
      return [
        [
          record('notification_sent', at(0), { notification_id: 'n-1' }),
          record('notification_sent', at(1), { notification_id: 'n-2', channel: 'push' }),
          record('profile_updated', at(1)),
        ],
        [
          record('notification_delivered', at(2), { notification_id: 'n-1' }),
          record('notification_sent', at(9), { notification_id: 'n-3' }),
          record('notification_clicked', at(9), { notification_id: 'n-1' }),
        ],
      ];
    case 'auth':
      return [
        [
          record('login_success', at(0)),
          record('login_failure', at(1), { user_id: 'u-2' }),
          record('login_success', at(2), { user_id: 'u-3' }),
        ],
        [
          record('logout', at(5)), // extends u-1's session
          record('login_success', at(20), { user_id: 'u-4' }), // closes the first windows and sessions
          record('token_refresh', at(21), { user_id: 'u-4' }),
        ],
      ];
    case 'video':
      return [
        [
          record('video_play', at(0)),
          record('video_heartbeat', at(1)),
          record('video_play', at(4), { video_id: 'v-2' }),
        ],
        [
          // new members of open cells' distinct-user sets (wm is at 2 min: 4–5 and 0–5 are open)
          record('video_play', at(4.5), { user_id: 'u-2', video_id: 'v-2' }),
          record('video_heartbeat', at(4.6), { user_id: 'u-3' }),
          record('video_heartbeat', at(5)),
          record('video_complete', at(6)), // wm 4.5 min: closes 3–4, keeps 4–5 and 0–5 open
          record('video_play', at(6.5)),
        ],
      ];
    case 'course':
      return [
        [
          record('course_viewed', at(0)),
          record('material_accessed', at(1)),
          record('course_enrolled', at(3)),
        ],
        [
          // wm is at 1 min: 3–4 and 0–5 are open
          record('course_enrolled', at(3.5), { user_id: 'u-2' }),
          record('material_accessed', at(3.6), { user_id: 'u-3' }),
          record('course_viewed', at(4)),
          record('resource_downloaded', at(5)), // wm 3.5 min: closes 2–3, keeps 3–4 and 0–5 open
          record('course_viewed', at(5.5)),
        ],
      ];
  }
}

function finish(engine: JobEngine): string[] {
  engine.endOfInput();
  const rows: string[] = [];
  for (const [view, viewRows] of engine.drainFinal())
    for (const row of viewRows) rows.push(`${view} ${JSON.stringify(row)}`);
  return rows.sort();
}

/** A new engine restored from one folded piece per partition. */
function restored(job: JobName, pieces: Buffer[][]): JobEngine {
  const engine = createJobEngine(job, OPTIONS);
  for (const chain of pieces) {
    const [base, ...later] = chain.map((bytes) => decodeSnapshot(bytes));
    engine.restorePartition(foldChain(base!, later));
  }
  return engine;
}

describe('incremental snapshots of view state', () => {
  for (const job of ['assessment', 'profile_notification', 'auth', 'video', 'course'] as const) {
    it(`restore ${job} from a full piece plus a delta as from a full piece taken at the same point`, () => {
      const [first, second] = phases(job);
      const engine = createJobEngine(job, OPTIONS);
      engine.process(first);
      engine.drainFinal();
      const chains = engine.watermarks().map(({ topic, partition }) => {
        const { bytes, mark } = engine.encodePartition(topic, partition, false)!;
        engine.partitionCommitted(topic, partition, mark);
        return { topic, partition, pieces: [bytes] };
      });
      engine.process(second);
      engine.drainFinal();
      const full: Buffer[][] = [];
      for (const chain of chains) {
        expect(engine.canSnapshotIncrementally(chain.topic, chain.partition)).toBe(true);
        const delta = engine.encodePartition(chain.topic, chain.partition, true)!;
        expect(decodeSnapshot(delta.bytes).incremental).toBe(true);
        chain.pieces.push(delta.bytes);
        full.push([engine.encodePartition(chain.topic, chain.partition, false)!.bytes]);
      }
      const expected = finish(restored(job, full));
      expect(expected.length).toBeGreaterThan(0);
      expect(
        finish(
          restored(
            job,
            chains.map(({ pieces }) => pieces),
          ),
        ),
      ).toEqual(expected);
    });
  }

  it('holds only what changed: a delta after one new event is a fraction of the whole state', () => {
    const engine = createJobEngine('auth', OPTIONS);
    const users = Array.from({ length: 200 }, (_, index) => `u-${index}`);
    engine.process(
      users.map((user, index) => record('login_success', T0_MS + index * 1000, { user_id: user })),
    );
    const { bytes: whole, mark } = engine.encodePartition('lms.auth', 0, false)!;
    engine.partitionCommitted('lms.auth', 0, mark);
    engine.process([record('logout', T0_MS + 201_000, { user_id: 'u-7' })]);
    const delta = engine.encodePartition('lms.auth', 0, true)!.bytes;
    expect(delta.length * 5).toBeLessThan(whole.length);
  });

  it('writes only the new members of a distinct-user set that grew', () => {
    const engine = createJobEngine('video', OPTIONS);
    const viewers = Array.from({ length: 1000 }, (_, index) => `u-${index}`);
    engine.process(
      viewers.map((user, index) => record('video_heartbeat', T0_MS + index * 50, { user_id: user })),
    );
    const { bytes: whole, mark } = engine.encodePartition('lms.video', 0, false)!;
    engine.partitionCommitted('lms.video', 0, mark);
    engine.process([record('video_heartbeat', T0_MS + 50_001, { user_id: 'u-new' })]);
    const delta = engine.encodePartition('lms.video', 0, true)!.bytes;
    expect(delta.length * 20).toBeLessThan(whole.length);
  });

  it('takes no delta until the newest snapshot is committed', () => {
    const engine = createJobEngine('auth', OPTIONS);
    engine.process([record('login_success', T0_MS)]);
    const { mark } = engine.encodePartition('lms.auth', 0, false)!;
    expect(engine.canSnapshotIncrementally('lms.auth', 0)).toBe(false);
    engine.partitionCommitted('lms.auth', 0, mark);
    expect(engine.canSnapshotIncrementally('lms.auth', 0)).toBe(true);
    engine.encodePartition('lms.auth', 0, true);
    expect(engine.canSnapshotIncrementally('lms.auth', 0)).toBe(false);
    expect(() => engine.encodePartition('lms.auth', 0, true)).toThrow(/not committed/);
  });
});
