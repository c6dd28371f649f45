/** Pieces several view files share: window sizes, event type lists, keys, and values of events. */
import { TOPIC_EVENT_TYPES } from '../../events/topics.ts';
import { KEY_SEPARATOR } from '../engine/view-definition.ts';

export const ONE_MINUTE_MS = 60_000;
export const FIVE_MINUTES_MS = 300_000;

export const AUTH_TYPES = TOPIC_EVENT_TYPES['lms.auth'];
export const ASSESSMENT_TYPES = TOPIC_EVENT_TYPES['lms.assessment'];
export const VIDEO_TYPES = TOPIC_EVENT_TYPES['lms.video'];
export const COURSE_TYPES = TOPIC_EVENT_TYPES['lms.course'];

/** A composite key of two columns. */
export function twoPartKey(first: string, second: string): string {
  return first + KEY_SEPARATOR + second;
}

/** `100 * score / max_score` (docs/contract/events.md). */
export function scorePct(event: { score: number; max_score: number }): number {
  return (100 * event.score) / event.max_score;
}

/** Whether a joined left event found a match (a join folds each left event as its delay, -1 if none). */
export const matched = (delayMs: number): boolean => delayMs >= 0;

/** The delay of a matched left event; null (skipped by sum/max) when it found none. */
export const matchedDelayMs = (delayMs: number): number | null => (delayMs >= 0 ? delayMs : null);
