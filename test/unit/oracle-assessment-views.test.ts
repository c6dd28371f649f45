import { describe, it } from 'vitest';
import { MINUTE, RecordLog, SECOND, T0, expectRows } from '../fixtures/oracle/record-log.ts';

const T5 = 5 * MINUTE;

describe('oracle assessment views', () => {
  it('assessment_realtime_submissions_1min: score_pct stats over scored events, null when none is scored', async () => {
    const log = new RecordLog();
    log.event('assignment_submitted', T0, { course_id: 'c-1' });
    log.event('quiz_completed', T0 + SECOND, { course_id: 'c-1', score: 7, max_score: 10 });
    log.event('assignment_graded', T0 + 2 * SECOND, { course_id: 'c-1', score: 9, max_score: 10 });
    log.event('assignment_submitted', T0 + MINUTE, { course_id: 'c-1' });
    log.event('quiz_started', T0 + MINUTE, { course_id: 'c-2' }); // not an input of this view
    expectRows(await log.run(), 'assessment_realtime_submissions_1min', [
      {
        window_start: T0,
        window_end: T0 + MINUTE,
        course_id: 'c-1',
        submissions: 2,
        scored: 2,
        avg_score_pct: 80,
        min_score_pct: 70,
        max_score_pct: 90,
      },
      {
        window_start: T0 + MINUTE,
        window_end: T0 + 2 * MINUTE,
        course_id: 'c-1',
        submissions: 1,
        scored: 0,
        avg_score_pct: null,
        min_score_pct: null,
        max_score_pct: null,
      },
    ]);
  });

  it('assessment_realtime_active_students counts distinct users per course in 5-min windows', async () => {
    const log = new RecordLog();
    log.event('quiz_started', T0, { user_id: 'u-1', course_id: 'c-1' }, { partition: 1 });
    log.event('quiz_completed', T0 + T5 - 1, { user_id: 'u-1', course_id: 'c-1' }, { partition: 1 });
    log.event('assignment_submitted', T0 + MINUTE, { user_id: 'u-2', course_id: 'c-1' }, { partition: 2 });
    log.event('assignment_graded', T0 + MINUTE, { user_id: 'u-2', course_id: 'c-2' }, { partition: 2 });
    log.event('quiz_started', T0 + T5, { user_id: 'u-2', course_id: 'c-1' }, { partition: 2 });
    expectRows(await log.run(), 'assessment_realtime_active_students', [
      { window_start: T0, window_end: T0 + T5, course_id: 'c-1', active_students: 2 },
      { window_start: T0, window_end: T0 + T5, course_id: 'c-2', active_students: 1 },
      { window_start: T0 + T5, window_end: T0 + 2 * T5, course_id: 'c-1', active_students: 1 },
    ]);
  });

  it('assessment_realtime_quiz_attempts: completion rate null without a start, average null without a completion', async () => {
    const log = new RecordLog();
    const quiz = (assessmentId: string) => ({ course_id: 'c-1', assessment_id: assessmentId });
    log.event('quiz_started', T0, quiz('a-1'));
    log.event('quiz_started', T0 + SECOND, quiz('a-1'));
    log.event('quiz_completed', T0 + 2 * SECOND, { ...quiz('a-1'), score: 5, max_score: 8 });
    log.event('quiz_completed', T0 + 3 * SECOND, { ...quiz('a-2'), score: 3, max_score: 4 });
    log.event('quiz_started', T0 + 4 * SECOND, quiz('a-3'));
    const row = (assessmentId: string, values: Record<string, number | null>) => ({
      window_start: T0,
      window_end: T0 + T5,
      course_id: 'c-1',
      assessment_id: assessmentId,
      ...values,
    });
    expectRows(await log.run(), 'assessment_realtime_quiz_attempts', [
      row('a-1', { started: 2, completed: 1, completion_rate: 0.5, avg_score_pct: 62.5 }),
      row('a-2', { started: 0, completed: 1, completion_rate: null, avg_score_pct: 75 }),
      row('a-3', { started: 1, completed: 0, completion_rate: 0, avg_score_pct: null }),
    ]);
  });

  it('assessment_realtime_submission_rate counts submissions in each of the five sliding windows', async () => {
    const log = new RecordLog();
    log.event('assignment_submitted', T0 + 2 * MINUTE + 30 * SECOND, { course_id: 'c-1' });
    log.event('assignment_submitted', T0 + 4 * MINUTE, { course_id: 'c-1' });
    log.event('quiz_completed', T0 + 4 * MINUTE, { course_id: 'c-1' }); // not an input
    const counts: [number, number][] = [
      [-2, 1],
      [-1, 1],
      [0, 2],
      [1, 2],
      [2, 2],
      [3, 1],
      [4, 1],
    ];
    expectRows(
      await log.run(),
      'assessment_realtime_submission_rate',
      counts.map(([startMinute, submissions]) => ({
        window_start: T0 + startMinute * MINUTE,
        window_end: T0 + (startMinute + 5) * MINUTE,
        course_id: 'c-1',
        submissions,
        submissions_per_minute: submissions / 5,
      })),
    );
  });
});

describe('oracle assessment_realtime_grading_queue (JOIN 30 min)', () => {
  it('matches a grade at exactly +30 min, not 1 ms later, not before, not from another user, and takes the earliest', async () => {
    const log = new RecordLog();
    const work = (user: string, submission: string) => ({
      user_id: user,
      course_id: 'c-1',
      submission_id: submission,
    });
    const on = (partition: number) => ({ partition });
    log.event('assignment_submitted', T0 + MINUTE, work('u-1', 's-1'), on(1));
    log.event('assignment_graded', T0 + 31 * MINUTE, work('u-1', 's-1'), on(1)); // exactly +30 min: match
    log.event('assignment_submitted', T0 + MINUTE, work('u-2', 's-2'), on(2));
    log.event('assignment_graded', T0 + 31 * MINUTE + 1, work('u-2', 's-2'), on(2)); // +30 min +1 ms: none
    log.event('assignment_graded', T0 + 2 * MINUTE - 1, work('u-3', 's-3'), on(3)); // before: none
    log.event('assignment_submitted', T0 + 2 * MINUTE, work('u-3', 's-3'), on(3));
    log.event('assignment_submitted', T0 + 2 * MINUTE, work('u-4', 's-4'), on(4));
    log.event('assignment_graded', T0 + 4 * MINUTE, work('u-4', 's-4'), on(4));
    log.event('assignment_graded', T0 + 3 * MINUTE, work('u-4', 's-4'), on(4)); // earliest: 1 min
    log.event('assignment_submitted', T0 + 3 * MINUTE, work('u-5', 's-5'), on(5));
    log.event('assignment_graded', T0 + 4 * MINUTE, work('u-6', 's-5'), on(6)); // another user: none
    log.event('assignment_graded', T0 + 20 * MINUTE, { ...work('u-8', 's-8'), course_id: 'c-3' }, on(7));
    const result = await log.run();
    expectRows(result, 'assessment_realtime_grading_queue', [
      {
        window_start: T0,
        window_end: T0 + T5,
        course_id: 'c-1',
        submitted: 5,
        graded: 2,
        pending: 3,
        avg_minutes_to_grade: (30 + 1) / 2,
      },
    ]);
  });

  it('lets one grade match several submissions, each judged on its own', async () => {
    const log = new RecordLog();
    const work = { user_id: 'u-7', course_id: 'c-2', submission_id: 's-7' };
    log.event('assignment_submitted', T0 + 6 * MINUTE, work);
    log.event('assignment_submitted', T0 + 8 * MINUTE, work);
    log.event('assignment_graded', T0 + 10 * MINUTE, work);
    log.event('assignment_submitted', T0 + 11 * MINUTE, { ...work, submission_id: 's-9' }); // never graded
    expectRows(await log.run(), 'assessment_realtime_grading_queue', [
      {
        window_start: T0 + T5,
        window_end: T0 + 2 * T5,
        course_id: 'c-2',
        submitted: 2,
        graded: 2,
        pending: 0,
        avg_minutes_to_grade: (4 + 2) / 2,
      },
      {
        window_start: T0 + 2 * T5,
        window_end: T0 + 3 * T5,
        course_id: 'c-2',
        submitted: 1,
        graded: 0,
        pending: 1,
        avg_minutes_to_grade: null,
      },
    ]);
  });
});
