/**
 * docs/contract/events.md as JSON Schema, one schema per event type (envelope + its own fields). Rules JSON Schema
 * cannot say — `event_time` as a real calendar time, `score <= max_score`, `user_id` = message key —
 * are checked by `validate.ts`. Lengths count UTF-16 code units (Ajv runs with `unicode: false`).
 */
import type { EventType } from './topics.ts';

type Schema = Record<string, unknown>;

const string: Schema = { type: 'string' };
const id: Schema = { type: 'string', minLength: 1, maxLength: 64 };
const nonNegative: Schema = { type: 'number', minimum: 0 };
const optionalString: Schema = { type: ['string', 'null'] };
const channel: Schema = { type: 'string', enum: ['email', 'push', 'in_app'] };
const fieldNames: Schema = { type: 'array', minItems: 1, maxItems: 20, items: string };
const score: Schema = { type: 'number', minimum: 0 };
const maxScore: Schema = { type: 'number', exclusiveMinimum: 0 };

const envelope: Schema = {
  event_id: id,
  event_type: string,
  event_time: string,
  user_id: id,
  course_id: optionalString,
  session_id: optionalString,
};
const envelopeRequired = ['event_id', 'event_type', 'event_time', 'user_id'];

/** Fields of each type beyond the envelope; `course_id` / `session_id` listed here become required strings. */
const TYPE_FIELDS: Record<EventType, Schema> = {
  login_success: { session_id: string, ip: string, user_agent: optionalString },
  login_failure: {
    ip: string,
    failure_reason: { type: 'string', enum: ['bad_password', 'unknown_user', 'locked', 'mfa_failed'] },
  },
  logout: { session_id: string },
  token_refresh: { session_id: string },
  quiz_started: { course_id: string, assessment_id: string, attempt_id: string },
  quiz_completed: {
    course_id: string,
    assessment_id: string,
    attempt_id: string,
    score,
    max_score: maxScore,
  },
  assignment_submitted: { course_id: string, assessment_id: string, submission_id: string },
  assignment_graded: {
    course_id: string,
    assessment_id: string,
    submission_id: string,
    score,
    max_score: maxScore,
    grader_id: string,
  },
  video_play: { course_id: string, video_id: string, position_s: nonNegative },
  video_pause: { course_id: string, video_id: string, position_s: nonNegative },
  video_seek: { course_id: string, video_id: string, from_s: nonNegative, to_s: nonNegative },
  video_heartbeat: {
    course_id: string,
    video_id: string,
    position_s: nonNegative,
    watched_s: { type: 'number', minimum: 0, maximum: 60 },
  },
  video_complete: { course_id: string, video_id: string },
  course_enrolled: { course_id: string },
  course_unenrolled: { course_id: string },
  course_viewed: { course_id: string },
  material_accessed: {
    course_id: string,
    material_id: string,
    material_type: { type: 'string', enum: ['page', 'pdf', 'slides', 'quiz_page'] },
  },
  resource_downloaded: {
    course_id: string,
    material_id: string,
    bytes: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  },
  profile_updated: { fields: fieldNames },
  preferences_updated: { fields: fieldNames },
  notification_sent: { notification_id: string, channel, category: string },
  notification_delivered: { notification_id: string, channel },
  notification_clicked: { notification_id: string, channel },
};

const OPTIONAL_TYPE_FIELDS = new Set(['user_agent']);

/** The JSON Schema of one event type, as published for producers. */
export function eventSchema(type: EventType): Schema {
  const own = TYPE_FIELDS[type];
  const required = [...envelopeRequired, ...Object.keys(own).filter((f) => !OPTIONAL_TYPE_FIELDS.has(f))];
  return {
    $id: `lms/${type}`,
    type: 'object',
    properties: { ...envelope, ...own, event_type: { const: type } },
    required,
  };
}
