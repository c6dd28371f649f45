/**
 * What each dashboard panel should show, computed from the API's rows here, independently of the page's
 * own code (src/dashboard/public/panels.js): sums, maxima and ratios of sums over the range, and the
 * newest window where a panel shows "now".
 */
type Cell = string | number | boolean | null;
export type ApiRows = Record<string, Record<string, Cell>[]>;

const sum = (rows: ApiRows[string], column: string): number =>
  rows.reduce((total, row) => total + Number(row[column] ?? 0), 0);
const max = (rows: ApiRows[string], column: string): number | null =>
  rows.length === 0 ? null : Math.max(...rows.map((row) => Number(row[column])));
const min = (rows: ApiRows[string], column: string): number | null =>
  rows.length === 0 ? null : Math.min(...rows.map((row) => Number(row[column])));
const ratio = (numerator: number, denominator: number): number | null =>
  denominator === 0 ? null : numerator / denominator;

function newestWindow(rows: ApiRows[string]): ApiRows[string] {
  const newest = rows
    .map((row) => String(row.window_start))
    .sort()
    .at(-1);
  return rows.filter((row) => row.window_start === newest);
}

function weighted(rows: ApiRows[string], column: string, weight: string): number | null {
  const scored = rows.filter((row) => Number(row[weight]) > 0 && row[column] !== null);
  return ratio(
    scored.reduce((total, row) => total + Number(row[column]) * Number(row[weight]), 0),
    sum(scored, weight),
  );
}

export function expectedFigures(api: ApiRows): Record<string, Record<string, number | string | null>> {
  const rows = (view: string) => api[view] ?? [];
  const users1 = rows('auth_realtime_active_users_1min');
  const logins = rows('auth_realtime_login_rate');
  const failed = rows('auth_realtime_failed_logins');
  const submissions = rows('assessment_realtime_submissions_1min');
  const queue = rows('assessment_realtime_grading_queue');
  const concurrent = rows('video_realtime_concurrent_viewers');
  const popular = newestWindow(rows('video_realtime_popular_videos'));
  const delivery = rows('notification_realtime_delivery_status');
  const clicks = rows('notification_realtime_click_rate_5min');
  const enrollments = rows('course_realtime_enrollment_rate');
  const newestSum = (view: string, column: string) =>
    rows(view).length === 0 ? null : sum(newestWindow(rows(view)), column);
  return {
    'active-users': {
      'latest-1min': newestSum('auth_realtime_active_users_1min', 'active_users'),
      'latest-5min': newestSum('auth_realtime_active_users_5min', 'active_users'),
      'peak-1min': max(users1, 'active_users'),
    },
    logins: {
      attempts: sum(logins, 'login_attempts'),
      failures: sum(logins, 'login_failures'),
      'success-rate': ratio(sum(logins, 'login_successes'), sum(logins, 'login_attempts')),
    },
    'failed-logins': {
      'failed-attempts': sum(failed, 'failed_attempts'),
      suspected: failed.filter((row) => row.suspected_brute_force === true).length,
      users: new Set(failed.map((row) => row.user_id)).size,
    },
    submissions: {
      submissions: sum(submissions, 'submissions'),
      'avg-score': weighted(submissions, 'avg_score_pct', 'scored'),
      'min-score': min(
        submissions.filter((row) => row.min_score_pct !== null),
        'min_score_pct',
      ),
      'max-score': max(
        submissions.filter((row) => row.max_score_pct !== null),
        'max_score_pct',
      ),
    },
    grading: {
      pending: sum(queue, 'pending'),
      submitted: sum(queue, 'submitted'),
      'avg-minutes': weighted(queue, 'avg_minutes_to_grade', 'graded'),
    },
    viewers: {
      'latest-concurrent': newestSum('video_realtime_concurrent_viewers', 'concurrent_viewers'),
      'peak-concurrent': max(concurrent, 'concurrent_viewers'),
      'watch-seconds': sum(rows('video_realtime_viewers_1min'), 'watch_seconds'),
    },
    'popular-videos': {
      window: popular.length === 0 ? null : String(popular[0]!.window_start),
      plays: sum(popular, 'plays'),
      'top-video': popular.find((row) => row.rank === 1)?.video_id?.toString() ?? null,
    },
    courses: {
      'active-courses': new Set(rows('course_realtime_active_courses_1min').map((row) => row.course_id)).size,
      enrollments: sum(enrollments, 'enrollments'),
      unenrollments: sum(enrollments, 'unenrollments'),
    },
    notifications: {
      sent: sum(delivery, 'sent'),
      'delivery-rate': ratio(sum(delivery, 'delivered'), sum(delivery, 'sent')),
      ctr: ratio(sum(clicks, 'clicked'), sum(clicks, 'delivered')),
    },
  };
}
