/** The 25 views of docs/contract/views.md, one file each; `partialColumns` tells the Parquet sink what partial rows hold. */
import assessmentRealtimeActiveStudents from './assessment-realtime-active-students.ts';
import assessmentRealtimeGradingQueue from './assessment-realtime-grading-queue.ts';
import assessmentRealtimeQuizAttempts from './assessment-realtime-quiz-attempts.ts';
import assessmentRealtimeSubmissionRate from './assessment-realtime-submission-rate.ts';
import assessmentRealtimeSubmissions1min from './assessment-realtime-submissions-1min.ts';
import authRealtimeActiveUsers1min from './auth-realtime-active-users-1min.ts';
import authRealtimeActiveUsers5min from './auth-realtime-active-users-5min.ts';
import authRealtimeFailedLogins from './auth-realtime-failed-logins.ts';
import authRealtimeLoginRate from './auth-realtime-login-rate.ts';
import authRealtimeSessionActivity from './auth-realtime-session-activity.ts';
import courseRealtimeActiveCourses1min from './course-realtime-active-courses-1min.ts';
import courseRealtimeDownloadActivity from './course-realtime-download-activity.ts';
import courseRealtimeEngagementMetrics from './course-realtime-engagement-metrics.ts';
import courseRealtimeEnrollmentRate from './course-realtime-enrollment-rate.ts';
import courseRealtimeMaterialAccess5min from './course-realtime-material-access-5min.ts';
import notificationRealtimeClickRate5min from './notification-realtime-click-rate-5min.ts';
import notificationRealtimeDeliveryStatus from './notification-realtime-delivery-status.ts';
import notificationRealtimeEngagementMetrics from './notification-realtime-engagement-metrics.ts';
import notificationRealtimeSent1min from './notification-realtime-sent-1min.ts';
import profileRealtimeUpdates1min from './profile-realtime-updates-1min.ts';
import videoRealtimeConcurrentViewers from './video-realtime-concurrent-viewers.ts';
import videoRealtimeEngagementRate from './video-realtime-engagement-rate.ts';
import videoRealtimePopularVideos from './video-realtime-popular-videos.ts';
import videoRealtimeViewers1min from './video-realtime-viewers-1min.ts';
import videoRealtimeWatchTime5min from './video-realtime-watch-time-5min.ts';
import { VIEW_NAMES, viewSpec, type Column } from '../../events/view-catalog.ts';
import type { MergeColumnType } from '../engine/aggregate.ts';
import type { AnyView } from '../engine/view-definition.ts';

const DEFINED: readonly AnyView[] = [
  assessmentRealtimeActiveStudents,
  assessmentRealtimeGradingQueue,
  assessmentRealtimeQuizAttempts,
  assessmentRealtimeSubmissionRate,
  assessmentRealtimeSubmissions1min,
  authRealtimeActiveUsers1min,
  authRealtimeActiveUsers5min,
  authRealtimeFailedLogins,
  authRealtimeLoginRate,
  authRealtimeSessionActivity,
  courseRealtimeActiveCourses1min,
  courseRealtimeDownloadActivity,
  courseRealtimeEngagementMetrics,
  courseRealtimeEnrollmentRate,
  courseRealtimeMaterialAccess5min,
  notificationRealtimeClickRate5min,
  notificationRealtimeDeliveryStatus,
  notificationRealtimeEngagementMetrics,
  notificationRealtimeSent1min,
  profileRealtimeUpdates1min,
  videoRealtimeConcurrentViewers,
  videoRealtimeEngagementRate,
  videoRealtimePopularVideos,
  videoRealtimeViewers1min,
  videoRealtimeWatchTime5min,
];

const BY_NAME = new Map(DEFINED.map((view) => [view.name, view]));
const missing = VIEW_NAMES.filter((name) => !BY_NAME.has(name));
if (missing.length > 0 || BY_NAME.size !== DEFINED.length) {
  throw new Error(`views: catalog views without a definition (or defined twice): ${missing.join(', ')}`);
}

/** All view definitions, in catalog order. */
export const VIEWS: readonly AnyView[] = VIEW_NAMES.map((name) => BY_NAME.get(name)!);

export function viewDefinition(name: string): AnyView {
  const view = BY_NAME.get(name);
  if (view === undefined) throw new Error(`unknown view ${name}`);
  return view;
}

/** Columns of the view's partial rows (what the processor writes): catalog columns, then `_` merge columns. */
export function partialColumns(name: string): { name: string; type: Column['type'] | MergeColumnType }[] {
  const hidden = Object.entries(viewDefinition(name).hiddenColumns);
  return [...viewSpec(name).columns, ...hidden.map(([column, type]) => ({ name: column, type }))];
}
