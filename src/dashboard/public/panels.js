/**
 * The panels of the dashboard as data: which views each reads (docs/contract/views.md), the figures it
 * shows (also exposed as `data-*` attributes, so a test compares them with the API), its chart lines and
 * its table. Pure: the page renders these, the unit tests compute them from rows.
 */
import { extreme, measureOf, newestWindow, sum, weightedMean } from './series.js';

/** @typedef {import('./rows.js').Row} Row */
/** @typedef {import('./series.js').Measure} Measure */
/** @typedef {'count' | 'percent' | 'decimal' | 'seconds' | 'time' | 'text'} Format */
/** @typedef {{ name: string, label: string, value: number | string | null, format: Format }} Figure */
/** @typedef {{ label: string, view: string, measure: Measure }} ChartLine */
/** @typedef {{ label: string, column: string, format: Format }} TableColumn */
/**
 * @typedef {object} PanelSpec
 * @property {string} id
 * @property {string} title
 * @property {string[]} views
 * @property {(rows: Record<string, Row[]>) => Figure[]} figures
 * @property {ChartLine[]} [chart]
 * @property {{ caption: string, columns: TableColumn[], rows: (rows: Record<string, Row[]>) => Row[] }} [table]
 */

/** @param {Record<string, Row[]>} rows @param {string} view */
const of = (rows, view) => rows[view] ?? [];
/** The value of the newest window (over its keys). @param {readonly Row[]} rows @param {string} column */
const newest = (rows, column) => (rows.length === 0 ? null : measureOf(newestWindow(rows), { sum: column }));

/** Failed logins per user over the range: the users to look at first, brute force first. */
function failedLoginsByUser(/** @type {readonly Row[]} */ rows) {
  /** @type {Map<string, Row>} */
  const users = new Map();
  for (const row of rows) {
    const user = String(row.user_id);
    const seen = users.get(user) ?? {
      user_id: user,
      failed_attempts: 0,
      distinct_ips: 0,
      brute_force_windows: 0,
    };
    seen.failed_attempts = Number(seen.failed_attempts) + Number(row.failed_attempts);
    seen.distinct_ips = Math.max(Number(seen.distinct_ips), Number(row.distinct_ips));
    seen.brute_force_windows =
      Number(seen.brute_force_windows) + (row.suspected_brute_force === true ? 1 : 0);
    users.set(user, seen);
  }
  return [...users.values()]
    .sort(
      (a, b) =>
        Number(b.brute_force_windows) - Number(a.brute_force_windows) ||
        Number(b.failed_attempts) - Number(a.failed_attempts) ||
        String(a.user_id).localeCompare(String(b.user_id)),
    )
    .slice(0, 10);
}

/** @type {PanelSpec[]} */
export const PANELS = [
  {
    id: 'active-users',
    title: 'Active users',
    views: ['auth_realtime_active_users_1min', 'auth_realtime_active_users_5min'],
    figures: (rows) => [
      {
        name: 'latest-1min',
        label: 'last minute',
        value: newest(of(rows, 'auth_realtime_active_users_1min'), 'active_users'),
        format: 'count',
      },
      {
        name: 'latest-5min',
        label: 'last 5 minutes',
        value: newest(of(rows, 'auth_realtime_active_users_5min'), 'active_users'),
        format: 'count',
      },
      {
        name: 'peak-1min',
        label: 'peak (1 min)',
        value: extreme(of(rows, 'auth_realtime_active_users_1min'), 'active_users', 'max'),
        format: 'count',
      },
    ],
    chart: [
      { label: '1 min', view: 'auth_realtime_active_users_1min', measure: { sum: 'active_users' } },
      { label: '5 min (sliding)', view: 'auth_realtime_active_users_5min', measure: { sum: 'active_users' } },
    ],
  },
  {
    id: 'logins',
    title: 'Login attempts',
    views: ['auth_realtime_login_rate'],
    figures: (rows) => {
      const logins = of(rows, 'auth_realtime_login_rate');
      return [
        { name: 'attempts', label: 'attempts', value: sum(logins, 'login_attempts'), format: 'count' },
        { name: 'failures', label: 'failures', value: sum(logins, 'login_failures'), format: 'count' },
        {
          name: 'success-rate',
          label: 'success rate',
          value: measureOf(logins, { ratio: ['login_successes', 'login_attempts'] }),
          format: 'percent',
        },
      ];
    },
    chart: [
      { label: 'attempts', view: 'auth_realtime_login_rate', measure: { sum: 'login_attempts' } },
      { label: 'failures', view: 'auth_realtime_login_rate', measure: { sum: 'login_failures' } },
    ],
  },
  {
    id: 'failed-logins',
    title: 'Failed logins and suspected brute force',
    views: ['auth_realtime_failed_logins'],
    figures: (rows) => {
      const failed = of(rows, 'auth_realtime_failed_logins');
      return [
        {
          name: 'failed-attempts',
          label: 'failed attempts',
          value: sum(failed, 'failed_attempts'),
          format: 'count',
        },
        {
          name: 'suspected',
          label: 'brute-force windows',
          value: failed.filter((row) => row.suspected_brute_force === true).length,
          format: 'count',
        },
        {
          name: 'users',
          label: 'users',
          value: new Set(failed.map((row) => row.user_id)).size,
          format: 'count',
        },
      ];
    },
    table: {
      caption: 'Users with the most failed logins (brute-force windows first)',
      columns: [
        { label: 'user', column: 'user_id', format: 'text' },
        { label: 'failed attempts', column: 'failed_attempts', format: 'count' },
        { label: 'most IPs in a minute', column: 'distinct_ips', format: 'count' },
        { label: 'brute-force windows', column: 'brute_force_windows', format: 'count' },
      ],
      rows: (rows) => failedLoginsByUser(of(rows, 'auth_realtime_failed_logins')),
    },
  },
  {
    id: 'submissions',
    title: 'Submissions per minute and scores',
    views: ['assessment_realtime_submissions_1min'],
    figures: (rows) => {
      const subs = of(rows, 'assessment_realtime_submissions_1min');
      return [
        { name: 'submissions', label: 'submissions', value: sum(subs, 'submissions'), format: 'count' },
        {
          name: 'avg-score',
          label: 'average score %',
          value: weightedMean(subs, 'avg_score_pct', 'scored'),
          format: 'decimal',
        },
        {
          name: 'min-score',
          label: 'lowest %',
          value: extreme(subs, 'min_score_pct', 'min'),
          format: 'decimal',
        },
        {
          name: 'max-score',
          label: 'highest %',
          value: extreme(subs, 'max_score_pct', 'max'),
          format: 'decimal',
        },
      ];
    },
    chart: [
      {
        label: 'submissions / min',
        view: 'assessment_realtime_submissions_1min',
        measure: { sum: 'submissions' },
      },
    ],
  },
  {
    id: 'grading',
    title: 'Grading queue',
    views: ['assessment_realtime_grading_queue'],
    figures: (rows) => {
      const queue = of(rows, 'assessment_realtime_grading_queue');
      return [
        { name: 'pending', label: 'pending', value: sum(queue, 'pending'), format: 'count' },
        { name: 'submitted', label: 'submitted', value: sum(queue, 'submitted'), format: 'count' },
        {
          name: 'avg-minutes',
          label: 'avg minutes to grade',
          value: weightedMean(queue, 'avg_minutes_to_grade', 'graded'),
          format: 'decimal',
        },
      ];
    },
    chart: [{ label: 'pending', view: 'assessment_realtime_grading_queue', measure: { sum: 'pending' } }],
  },
  {
    id: 'viewers',
    title: 'Video viewers and watch time',
    views: ['video_realtime_concurrent_viewers', 'video_realtime_viewers_1min'],
    figures: (rows) => {
      const concurrent = of(rows, 'video_realtime_concurrent_viewers');
      return [
        {
          name: 'latest-concurrent',
          label: 'watching now',
          value: newest(concurrent, 'concurrent_viewers'),
          format: 'count',
        },
        {
          name: 'peak-concurrent',
          label: 'peak',
          value: extreme(concurrent, 'concurrent_viewers', 'max'),
          format: 'count',
        },
        {
          name: 'watch-seconds',
          label: 'watch time',
          value: sum(of(rows, 'video_realtime_viewers_1min'), 'watch_seconds'),
          format: 'seconds',
        },
      ];
    },
    chart: [
      {
        label: 'concurrent viewers',
        view: 'video_realtime_concurrent_viewers',
        measure: { sum: 'concurrent_viewers' },
      },
    ],
  },
  {
    id: 'popular-videos',
    title: 'Popular videos (newest 5-minute window)',
    views: ['video_realtime_popular_videos'],
    figures: (rows) => {
      const top = newestWindow(of(rows, 'video_realtime_popular_videos'));
      return [
        {
          name: 'window',
          label: 'window start (UTC)',
          value: top.length === 0 ? null : String(top[0]?.window_start),
          format: 'time',
        },
        { name: 'plays', label: 'plays (top 10)', value: sum(top, 'plays'), format: 'count' },
        {
          name: 'top-video',
          label: 'most played',
          value: String(top.find((row) => row.rank === 1)?.video_id ?? '') || null,
          format: 'text',
        },
      ];
    },
    table: {
      caption: 'Top 10 videos by plays',
      columns: [
        { label: 'rank', column: 'rank', format: 'count' },
        { label: 'video', column: 'video_id', format: 'text' },
        { label: 'plays', column: 'plays', format: 'count' },
        { label: 'viewers', column: 'viewers', format: 'count' },
      ],
      rows: (rows) =>
        newestWindow(of(rows, 'video_realtime_popular_videos')).sort(
          (a, b) => Number(a.rank) - Number(b.rank),
        ),
    },
  },
  {
    id: 'courses',
    title: 'Active courses and enrollments',
    views: ['course_realtime_active_courses_1min', 'course_realtime_enrollment_rate'],
    figures: (rows) => {
      const enrollments = of(rows, 'course_realtime_enrollment_rate');
      return [
        {
          name: 'active-courses',
          label: 'active courses',
          value: measureOf(of(rows, 'course_realtime_active_courses_1min'), { distinct: 'course_id' }),
          format: 'count',
        },
        {
          name: 'enrollments',
          label: 'enrollments',
          value: sum(enrollments, 'enrollments'),
          format: 'count',
        },
        {
          name: 'unenrollments',
          label: 'unenrollments',
          value: sum(enrollments, 'unenrollments'),
          format: 'count',
        },
      ];
    },
    chart: [
      {
        label: 'active courses / min',
        view: 'course_realtime_active_courses_1min',
        measure: { distinct: 'course_id' },
      },
      {
        label: 'enrollments / 5 min',
        view: 'course_realtime_enrollment_rate',
        measure: { sum: 'enrollments' },
      },
    ],
  },
  {
    id: 'notifications',
    title: 'Notification delivery and click-through',
    views: ['notification_realtime_delivery_status', 'notification_realtime_click_rate_5min'],
    figures: (rows) => {
      const delivery = of(rows, 'notification_realtime_delivery_status');
      const clicks = of(rows, 'notification_realtime_click_rate_5min');
      return [
        { name: 'sent', label: 'sent', value: sum(delivery, 'sent'), format: 'count' },
        {
          name: 'delivery-rate',
          label: 'delivered',
          value: measureOf(delivery, { ratio: ['delivered', 'sent'] }),
          format: 'percent',
        },
        {
          name: 'ctr',
          label: 'click-through',
          value: measureOf(clicks, { ratio: ['clicked', 'delivered'] }),
          format: 'percent',
        },
      ];
    },
    chart: [
      { label: 'sent', view: 'notification_realtime_delivery_status', measure: { sum: 'sent' } },
      { label: 'delivered', view: 'notification_realtime_delivery_status', measure: { sum: 'delivered' } },
    ],
  },
];

/** Every view the panels read, once each. */
export const PANEL_VIEWS = [...new Set(PANELS.flatMap((panel) => panel.views))];
