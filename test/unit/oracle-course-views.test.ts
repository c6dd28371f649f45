import { describe, it } from 'vitest';
import { MINUTE, RecordLog, SECOND, T0, expectRows } from '../fixtures/oracle/record-log.ts';

const T5 = 5 * MINUTE;
const course = (userId: string, courseId: string, extra: Record<string, unknown> = {}) => ({
  user_id: userId,
  course_id: courseId,
  ...extra,
});

describe('oracle course views', () => {
  it('course_realtime_active_courses_1min counts all course events per course and minute, [start, end)', async () => {
    const log = new RecordLog();
    log.event('course_viewed', T0, course('u-1', 'c-1'));
    log.event('material_accessed', T0 + SECOND, course('u-1', 'c-1'));
    log.event('course_enrolled', T0 + 2 * SECOND, course('u-2', 'c-1'));
    log.event('resource_downloaded', T0 + MINUTE - 1, course('u-2', 'c-2'));
    log.event('course_unenrolled', T0 + MINUTE, course('u-2', 'c-1'));
    expectRows(await log.run(), 'course_realtime_active_courses_1min', [
      { window_start: T0, window_end: T0 + MINUTE, course_id: 'c-1', interactions: 3, active_users: 2 },
      { window_start: T0, window_end: T0 + MINUTE, course_id: 'c-2', interactions: 1, active_users: 1 },
      {
        window_start: T0 + MINUTE,
        window_end: T0 + 2 * MINUTE,
        course_id: 'c-1',
        interactions: 1,
        active_users: 1,
      },
    ]);
  });

  it('course_realtime_enrollment_rate nets enrollments against unenrollments, with no row for other events', async () => {
    const log = new RecordLog();
    log.event('course_enrolled', T0, course('u-1', 'c-1'));
    log.event('course_enrolled', T0 + SECOND, course('u-2', 'c-1'));
    for (const userId of ['u-3', 'u-4', 'u-5'])
      log.event('course_unenrolled', T0 + 2 * SECOND, course(userId, 'c-1'));
    log.event('course_viewed', T0 + 3 * SECOND, course('u-1', 'c-2'));
    expectRows(await log.run(), 'course_realtime_enrollment_rate', [
      {
        window_start: T0,
        window_end: T0 + T5,
        course_id: 'c-1',
        enrollments: 2,
        unenrollments: 3,
        net_enrollments: -1,
      },
    ]);
  });

  it('course_realtime_material_access_5min counts accesses, users and materials per course and material type', async () => {
    const log = new RecordLog();
    log.event('material_accessed', T0, course('u-1', 'c-1', { material_id: 'm-1', material_type: 'pdf' }));
    log.event(
      'material_accessed',
      T0 + SECOND,
      course('u-1', 'c-1', { material_id: 'm-1', material_type: 'pdf' }),
    );
    log.event(
      'material_accessed',
      T0 + 2 * SECOND,
      course('u-2', 'c-1', { material_id: 'm-2', material_type: 'pdf' }),
    );
    log.event(
      'material_accessed',
      T0 + 3 * SECOND,
      course('u-1', 'c-1', { material_id: 'm-1', material_type: 'slides' }),
    );
    log.event('resource_downloaded', T0 + 4 * SECOND, course('u-3', 'c-1', { material_id: 'm-3' })); // not an input
    const row = (materialType: string, accesses: number, users: number, materials: number) => ({
      window_start: T0,
      window_end: T0 + T5,
      course_id: 'c-1',
      material_type: materialType,
      accesses,
      distinct_users: users,
      distinct_materials: materials,
    });
    expectRows(await log.run(), 'course_realtime_material_access_5min', [
      row('pdf', 3, 2, 2),
      row('slides', 1, 1, 1),
    ]);
  });

  it('course_realtime_download_activity sums bytes exactly beyond 32 bits', async () => {
    const log = new RecordLog();
    log.event('resource_downloaded', T0, course('u-1', 'c-1', { bytes: 1000 }));
    log.event('resource_downloaded', T0 + SECOND, course('u-1', 'c-1', { bytes: 2_000_000_000_000 }));
    log.event('resource_downloaded', T0 + 2 * SECOND, course('u-1', 'c-1', { bytes: 0 }));
    log.event('material_accessed', T0 + 3 * SECOND, course('u-2', 'c-1')); // not an input
    expectRows(await log.run(), 'course_realtime_download_activity', [
      {
        window_start: T0,
        window_end: T0 + MINUTE,
        course_id: 'c-1',
        downloads: 3,
        bytes: 2_000_000_001_000,
        distinct_users: 1,
      },
    ]);
  });

  it('course_realtime_engagement_metrics divides events by active users in each of five sliding windows', async () => {
    const log = new RecordLog();
    log.event('course_viewed', T0 + 30 * SECOND, course('u-1', 'c-1'));
    log.event('course_viewed', T0 + 31 * SECOND, course('u-1', 'c-1'));
    log.event('course_enrolled', T0 + 32 * SECOND, course('u-2', 'c-1'));
    expectRows(
      await log.run(),
      'course_realtime_engagement_metrics',
      [-4, -3, -2, -1, 0].map((startMinute) => ({
        window_start: T0 + startMinute * MINUTE,
        window_end: T0 + (startMinute + 5) * MINUTE,
        course_id: 'c-1',
        active_users: 2,
        events: 3,
        events_per_user: 1.5,
      })),
    );
  });
});
