/**
 * One line per view (its input, docs/contract/views.md) and per output column, for readers of the
 * catalog (`GET /v1/views`). A column name means the same in every view unless the view overrides it.
 */
import { VIEW_SPECS } from './view-catalog.ts';

export const VIEW_INPUTS: Readonly<Record<string, string>> = {
  auth_realtime_active_users_1min: 'all auth events',
  auth_realtime_active_users_5min: 'all auth events',
  auth_realtime_login_rate: 'login_success, login_failure',
  auth_realtime_session_activity: 'all auth events',
  auth_realtime_failed_logins: 'login_failure',
  assessment_realtime_submissions_1min: 'assignment_submitted, quiz_completed, assignment_graded',
  assessment_realtime_active_students: 'all assessment events',
  assessment_realtime_quiz_attempts: 'quiz_started, quiz_completed',
  assessment_realtime_grading_queue: 'assignment_submitted joined with assignment_graded within 30 min',
  assessment_realtime_submission_rate: 'assignment_submitted',
  video_realtime_viewers_1min: 'all video events',
  video_realtime_watch_time_5min: 'video_heartbeat',
  video_realtime_engagement_rate: 'video_play, video_pause, video_complete',
  video_realtime_popular_videos: 'video_play (top 10 videos per window)',
  video_realtime_concurrent_viewers: 'video_heartbeat',
  course_realtime_active_courses_1min: 'all course events',
  course_realtime_enrollment_rate: 'course_enrolled, course_unenrolled',
  course_realtime_material_access_5min: 'material_accessed',
  course_realtime_download_activity: 'resource_downloaded',
  course_realtime_engagement_metrics: 'all course events',
  profile_realtime_updates_1min: 'profile_updated, preferences_updated',
  notification_realtime_sent_1min: 'notification_sent',
  notification_realtime_click_rate_5min: 'notification_delivered, notification_clicked',
  notification_realtime_delivery_status: 'notification_sent joined with notification_delivered within 10 min',
  notification_realtime_engagement_metrics: 'notification_delivered, notification_clicked',
};

const COLUMNS: Readonly<Record<string, string>> = {
  window_start: 'window start (inclusive), UTC',
  window_end: 'window end (exclusive), UTC',
  session_start: "time of the session's first event",
  session_end: "session's last event time + the session gap",
  user_id: 'user id',
  course_id: 'course id',
  assessment_id: 'assessment id',
  video_id: 'video id',
  material_type: 'material type',
  channel: 'notification channel',
  rank: 'rank 1–10 by plays desc, then video_id asc',
  events: 'input events',
  active_users: 'distinct users',
  active_students: 'distinct users',
  active_viewers: 'distinct users',
  distinct_users: 'distinct users',
  viewers: 'distinct users',
  login_attempts: 'login_success + login_failure events',
  login_successes: 'login_success events',
  login_failures: 'login_failure events',
  success_rate: 'login_successes / login_attempts',
  logins: 'login_success events of the session',
  duration_seconds: '(last − first event time) / 1000',
  ended_by_logout: "the session's last event is a logout",
  failed_attempts: 'login_failure events',
  distinct_ips: 'distinct IP addresses',
  suspected_brute_force: 'failed_attempts ≥ 5',
  submissions: 'assignment_submitted + quiz_completed events',
  scored: 'quiz_completed + assignment_graded events',
  avg_score_pct: 'average score_pct of the scored events',
  min_score_pct: 'lowest score_pct of the scored events',
  max_score_pct: 'highest score_pct of the scored events',
  started: 'quiz_started events',
  completed: 'quiz_completed events',
  completion_rate: 'completed / started',
  submitted: 'assignment_submitted events',
  graded: 'submissions with a matching graded event',
  pending: 'submitted − graded',
  avg_minutes_to_grade: 'average minutes to the earliest matching graded event',
  submissions_per_minute: 'submissions / 5',
  watch_seconds: 'sum of watched_s of heartbeats',
  avg_watch_seconds_per_viewer: 'watch_seconds / viewers',
  plays: 'video_play events',
  pauses: 'video_pause events',
  completes: 'video_complete events',
  pause_rate: 'pauses / plays',
  concurrent_viewers: 'distinct users who sent a heartbeat',
  videos_playing: 'distinct video ids with a heartbeat',
  interactions: 'input events',
  enrollments: 'course_enrolled events',
  unenrollments: 'course_unenrolled events',
  net_enrollments: 'enrollments − unenrollments',
  accesses: 'material_accessed events',
  distinct_materials: 'distinct material ids',
  downloads: 'resource_downloaded events',
  bytes: 'sum of downloaded bytes',
  events_per_user: 'events / active_users',
  updates: 'input events',
  fields_changed: 'sum of the lengths of fields',
  sent: 'notification_sent events',
  delivered: 'notification_delivered events',
  clicked: 'notification_clicked events',
  ctr: 'clicked / delivered',
  click_rate: 'clicked / delivered',
  undelivered: 'sent − delivered',
  avg_delivery_seconds: 'average seconds to the earliest matching delivered event',
  max_delivery_seconds: 'longest seconds to the earliest matching delivered event',
};

/** Where a view gives a column name another meaning. */
const OVERRIDES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  assessment_realtime_quiz_attempts: { avg_score_pct: 'average score_pct of quiz_completed events' },
  assessment_realtime_submission_rate: { submissions: 'assignment_submitted events' },
  video_realtime_engagement_rate: { completion_rate: 'completes / plays' },
  video_realtime_popular_videos: { viewers: 'distinct users who played the video' },
  notification_realtime_delivery_status: { delivered: 'sent events with a matching delivered event' },
};

export function columnDescription(view: string, column: string): string {
  const text = OVERRIDES[view]?.[column] ?? COLUMNS[column];
  if (text === undefined) throw new Error(`${view}: no description for column ${column}`);
  return text;
}

// Checked when the module loads: a new view or column without a description fails at once.
for (const spec of VIEW_SPECS) {
  if (VIEW_INPUTS[spec.name] === undefined) throw new Error(`${spec.name}: no input description`);
  for (const { name } of spec.columns) columnDescription(spec.name, name);
}
