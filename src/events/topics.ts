/** The Kafka layout of docs/contract/events.md: which event types each topic carries and which job reads it. */

export const TOPIC_EVENT_TYPES = {
  'lms.auth': ['login_success', 'login_failure', 'logout', 'token_refresh'],
  'lms.assessment': ['quiz_started', 'quiz_completed', 'assignment_submitted', 'assignment_graded'],
  'lms.video': ['video_play', 'video_pause', 'video_seek', 'video_heartbeat', 'video_complete'],
  'lms.course': [
    'course_enrolled',
    'course_unenrolled',
    'course_viewed',
    'material_accessed',
    'resource_downloaded',
  ],
  'lms.profile': ['profile_updated', 'preferences_updated'],
  'lms.notification': ['notification_sent', 'notification_delivered', 'notification_clicked'],
} as const;

export type Topic = keyof typeof TOPIC_EVENT_TYPES;
export type EventType = (typeof TOPIC_EVENT_TYPES)[Topic][number];

export const TOPICS = Object.keys(TOPIC_EVENT_TYPES) as Topic[];

export const JOB_TOPICS = {
  auth: ['lms.auth'],
  assessment: ['lms.assessment'],
  video: ['lms.video'],
  course: ['lms.course'],
  profile_notification: ['lms.profile', 'lms.notification'],
} as const satisfies Record<string, readonly Topic[]>;

export type JobName = keyof typeof JOB_TOPICS;
export const JOBS = Object.keys(JOB_TOPICS) as JobName[];

/** Partitions per topic unless configured otherwise (the same for all six topics). */
export const DEFAULT_PARTITIONS = 6;

/** Largest record value accepted, in UTF-8 bytes. */
export const MAX_VALUE_BYTES = 64 * 1024;

/** An event may be stamped at most this far after its record's (broker) timestamp. */
export const MAX_FUTURE_MS = 5 * 60_000;

export function isTopic(name: string): name is Topic {
  return Object.hasOwn(TOPIC_EVENT_TYPES, name);
}

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOB_TOPICS, name);
}

export function jobOfTopic(topic: Topic): JobName {
  for (const job of JOBS) if ((JOB_TOPICS[job] as readonly Topic[]).includes(topic)) return job;
  throw new Error(`topic ${topic} belongs to no job`);
}

export function topicOfEventType(type: EventType): Topic {
  for (const topic of TOPICS)
    if ((TOPIC_EVENT_TYPES[topic] as readonly string[]).includes(type)) return topic;
  throw new Error(`event type ${type} belongs to no topic`);
}
