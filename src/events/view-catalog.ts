/**
 * The 25 views of docs/contract/views.md as data: name, job, how rows are timed (window or session), key columns and
 * output columns with their types, in dump order. Both the processor and the oracle produce exactly these
 * columns; the Parquet sink and the dump writer read them from here.
 */
import type { JobName } from './topics.ts';

export type ColumnType = 'timestamp' | 'int64' | 'double' | 'string' | 'boolean';

export interface Column {
  name: string;
  type: ColumnType;
}

export interface ViewSpec {
  name: string;
  job: JobName;
  /** `window`: rows start with window_start, window_end; `session`: with session_start, session_end. */
  timing: 'window' | 'session';
  /** Key columns in docs/contract/views.md order (rows sort by time columns, then these). */
  keys: readonly string[];
  /** Every output column in dump order: time columns, keys, then values. */
  columns: readonly Column[];
}

type Shorthand = Record<string, ColumnType>;

function view(
  name: string,
  job: JobName,
  timing: ViewSpec['timing'],
  keys: Shorthand,
  values: Shorthand,
): ViewSpec {
  const [start, end] =
    timing === 'window' ? ['window_start', 'window_end'] : ['session_start', 'session_end'];
  const all: Shorthand = { [start]: 'timestamp', [end]: 'timestamp', ...keys, ...values };
  return {
    name,
    job,
    timing,
    keys: Object.keys(keys),
    columns: Object.entries(all).map(([columnName, type]) => ({ name: columnName, type })),
  };
}

const I = 'int64';
const D = 'double';
const S = 'string';
const B = 'boolean';

export const VIEW_SPECS: readonly ViewSpec[] = [
  view('auth_realtime_active_users_1min', 'auth', 'window', {}, { active_users: I, events: I }),
  view('auth_realtime_active_users_5min', 'auth', 'window', {}, { active_users: I, events: I }),
  view(
    'auth_realtime_login_rate',
    'auth',
    'window',
    {},
    { login_attempts: I, login_successes: I, login_failures: I, success_rate: D },
  ),
  view(
    'auth_realtime_session_activity',
    'auth',
    'session',
    { user_id: S },
    { events: I, logins: I, duration_seconds: D, ended_by_logout: B },
  ),
  view(
    'auth_realtime_failed_logins',
    'auth',
    'window',
    { user_id: S },
    { failed_attempts: I, distinct_ips: I, suspected_brute_force: B },
  ),

  view(
    'assessment_realtime_submissions_1min',
    'assessment',
    'window',
    { course_id: S },
    { submissions: I, scored: I, avg_score_pct: D, min_score_pct: D, max_score_pct: D },
  ),
  view(
    'assessment_realtime_active_students',
    'assessment',
    'window',
    { course_id: S },
    { active_students: I },
  ),
  view(
    'assessment_realtime_quiz_attempts',
    'assessment',
    'window',
    { course_id: S, assessment_id: S },
    { started: I, completed: I, completion_rate: D, avg_score_pct: D },
  ),
  view(
    'assessment_realtime_grading_queue',
    'assessment',
    'window',
    { course_id: S },
    { submitted: I, graded: I, pending: I, avg_minutes_to_grade: D },
  ),
  view(
    'assessment_realtime_submission_rate',
    'assessment',
    'window',
    { course_id: S },
    { submissions: I, submissions_per_minute: D },
  ),

  view(
    'video_realtime_viewers_1min',
    'video',
    'window',
    {},
    { active_viewers: I, watch_seconds: D, events: I },
  ),
  view(
    'video_realtime_watch_time_5min',
    'video',
    'window',
    { course_id: S, video_id: S },
    { viewers: I, watch_seconds: D, avg_watch_seconds_per_viewer: D },
  ),
  view(
    'video_realtime_engagement_rate',
    'video',
    'window',
    { video_id: S },
    { plays: I, pauses: I, completes: I, completion_rate: D, pause_rate: D },
  ),
  view(
    'video_realtime_popular_videos',
    'video',
    'window',
    { rank: I },
    { video_id: S, plays: I, viewers: I },
  ),
  view(
    'video_realtime_concurrent_viewers',
    'video',
    'window',
    {},
    { concurrent_viewers: I, videos_playing: I },
  ),

  view(
    'course_realtime_active_courses_1min',
    'course',
    'window',
    { course_id: S },
    { interactions: I, active_users: I },
  ),
  view(
    'course_realtime_enrollment_rate',
    'course',
    'window',
    { course_id: S },
    { enrollments: I, unenrollments: I, net_enrollments: I },
  ),
  view(
    'course_realtime_material_access_5min',
    'course',
    'window',
    { course_id: S, material_type: S },
    { accesses: I, distinct_users: I, distinct_materials: I },
  ),
  view(
    'course_realtime_download_activity',
    'course',
    'window',
    { course_id: S },
    { downloads: I, bytes: I, distinct_users: I },
  ),
  view(
    'course_realtime_engagement_metrics',
    'course',
    'window',
    { course_id: S },
    { active_users: I, events: I, events_per_user: D },
  ),

  view(
    'profile_realtime_updates_1min',
    'profile_notification',
    'window',
    {},
    { updates: I, distinct_users: I, fields_changed: I },
  ),
  view('notification_realtime_sent_1min', 'profile_notification', 'window', { channel: S }, { sent: I }),
  view(
    'notification_realtime_click_rate_5min',
    'profile_notification',
    'window',
    { channel: S },
    { delivered: I, clicked: I, ctr: D },
  ),
  view(
    'notification_realtime_delivery_status',
    'profile_notification',
    'window',
    { channel: S },
    { sent: I, delivered: I, undelivered: I, avg_delivery_seconds: D, max_delivery_seconds: D },
  ),
  view(
    'notification_realtime_engagement_metrics',
    'profile_notification',
    'window',
    { user_id: S },
    { delivered: I, clicked: I, click_rate: D },
  ),
];

export const VIEW_NAMES = VIEW_SPECS.map((spec) => spec.name);

export function viewSpec(name: string): ViewSpec {
  const spec = VIEW_SPECS.find((candidate) => candidate.name === name);
  if (spec === undefined) throw new Error(`unknown view ${name}; views: ${VIEW_NAMES.join(', ')}`);
  return spec;
}
