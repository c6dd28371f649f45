/**
 * The typed events of docs/contract/events.md, as the validator returns them: `event_time` is epoch milliseconds
 * (the wire carries an ISO string). Unknown extra fields may be present and are ignored.
 */
import type { EventType } from './topics.ts';

export interface Envelope<T extends EventType> {
  event_id: string;
  event_type: T;
  /** Epoch ms, converted from the wire's `YYYY-MM-DDTHH:MM:SS.sssZ`. */
  event_time: number;
  user_id: string;
  course_id?: string | null;
  session_id?: string | null;
}

type WithCourse<T extends EventType, F> = Envelope<T> & { course_id: string } & F;

export type Channel = 'email' | 'push' | 'in_app';
export type FailureReason = 'bad_password' | 'unknown_user' | 'locked' | 'mfa_failed';
export type MaterialType = 'page' | 'pdf' | 'slides' | 'quiz_page';

export type LoginSuccess = Envelope<'login_success'> & {
  session_id: string;
  ip: string;
  user_agent?: string | null;
};
export type LoginFailure = Envelope<'login_failure'> & { ip: string; failure_reason: FailureReason };
export type Logout = Envelope<'logout'> & { session_id: string };
export type TokenRefresh = Envelope<'token_refresh'> & { session_id: string };

export type QuizStarted = WithCourse<'quiz_started', { assessment_id: string; attempt_id: string }>;
export type QuizCompleted = WithCourse<
  'quiz_completed',
  { assessment_id: string; attempt_id: string; score: number; max_score: number }
>;
export type AssignmentSubmitted = WithCourse<
  'assignment_submitted',
  { assessment_id: string; submission_id: string }
>;
export type AssignmentGraded = WithCourse<
  'assignment_graded',
  { assessment_id: string; submission_id: string; score: number; max_score: number; grader_id: string }
>;

export type VideoPlay = WithCourse<'video_play', { video_id: string; position_s: number }>;
export type VideoPause = WithCourse<'video_pause', { video_id: string; position_s: number }>;
export type VideoSeek = WithCourse<'video_seek', { video_id: string; from_s: number; to_s: number }>;
export type VideoHeartbeat = WithCourse<
  'video_heartbeat',
  { video_id: string; position_s: number; watched_s: number }
>;
export type VideoComplete = WithCourse<'video_complete', { video_id: string }>;

export type CourseEnrolled = WithCourse<'course_enrolled', object>;
export type CourseUnenrolled = WithCourse<'course_unenrolled', object>;
export type CourseViewed = WithCourse<'course_viewed', object>;
export type MaterialAccessed = WithCourse<
  'material_accessed',
  { material_id: string; material_type: MaterialType }
>;
export type ResourceDownloaded = WithCourse<'resource_downloaded', { material_id: string; bytes: number }>;

export type ProfileUpdated = Envelope<'profile_updated'> & { fields: string[] };
export type PreferencesUpdated = Envelope<'preferences_updated'> & { fields: string[] };

export type NotificationSent = Envelope<'notification_sent'> & {
  notification_id: string;
  channel: Channel;
  category: string;
};
export type NotificationDelivered = Envelope<'notification_delivered'> & {
  notification_id: string;
  channel: Channel;
};
export type NotificationClicked = Envelope<'notification_clicked'> & {
  notification_id: string;
  channel: Channel;
};

export type AuthEvent = LoginSuccess | LoginFailure | Logout | TokenRefresh;
export type AssessmentEvent = QuizStarted | QuizCompleted | AssignmentSubmitted | AssignmentGraded;
export type VideoEvent = VideoPlay | VideoPause | VideoSeek | VideoHeartbeat | VideoComplete;
export type CourseEvent =
  CourseEnrolled | CourseUnenrolled | CourseViewed | MaterialAccessed | ResourceDownloaded;
export type ProfileEvent = ProfileUpdated | PreferencesUpdated;
export type NotificationEvent = NotificationSent | NotificationDelivered | NotificationClicked;

export type LmsEvent =
  AuthEvent | AssessmentEvent | VideoEvent | CourseEvent | ProfileEvent | NotificationEvent;

/** The event of a given type, e.g. `EventOf<'video_heartbeat'>`. */
export type EventOf<T extends EventType> = Extract<LmsEvent, { event_type: T }>;
