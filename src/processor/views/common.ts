/** Pieces several view files share: window sizes, event type lists, and the common aggregate shapes. */
import { TOPIC_EVENT_TYPES } from '../../events/topics.ts';
import type { EventOf } from '../../events/types.ts';
import type { Aggregate } from '../engine/aggregate.ts';
import { KEY_SEPARATOR } from '../engine/view-definition.ts';

export const ONE_MINUTE_MS = 60_000;
export const FIVE_MINUTES_MS = 300_000;

export const AUTH_TYPES = TOPIC_EVENT_TYPES['lms.auth'];
export const ASSESSMENT_TYPES = TOPIC_EVENT_TYPES['lms.assessment'];
export const VIDEO_TYPES = TOPIC_EVENT_TYPES['lms.video'];
export const COURSE_TYPES = TOPIC_EVENT_TYPES['lms.course'];

/** Views with no key column: one cell per window. */
export const noKey = (): string => '';

/** A composite key of two columns. */
export function twoPartKey(first: string, second: string): string {
  return first + KEY_SEPARATOR + second;
}

/** Distinct users and a count of events: `partial` names the two columns. */
export interface UsersAndCount {
  users: Set<string>;
  count: number;
}

export function usersAndCount(
  usersColumn: string,
  countColumn: string,
): Aggregate<{ user_id: string }, UsersAndCount> {
  return {
    init: () => ({ users: new Set(), count: 0 }),
    add(state, event) {
      state.users.add(event.user_id);
      state.count++;
    },
    merge(into, from) {
      for (const user of from.users) into.users.add(user);
      into.count += from.count;
    },
    partial: (state) => ({ [usersColumn]: state.users.size, [countColumn]: state.count }),
  };
}

/** A plain event count. */
export function countOf(column: string): Aggregate<unknown, { count: number }> {
  return {
    init: () => ({ count: 0 }),
    add(state) {
      state.count++;
    },
    merge(into, from) {
      into.count += from.count;
    },
    partial: (state) => ({ [column]: state.count }),
  };
}

/** `100 * score / max_score` (events.md). */
export function scorePct(event: { score: number; max_score: number }): number {
  return (100 * event.score) / event.max_score;
}

/** Delivered and clicked notifications: the two counts behind both click-rate views. */
export const deliveredAndClicked: Aggregate<
  EventOf<'notification_delivered' | 'notification_clicked'>,
  { delivered: number; clicked: number }
> = {
  init: () => ({ delivered: 0, clicked: 0 }),
  add(state, event) {
    if (event.event_type === 'notification_delivered') state.delivered++;
    else state.clicked++;
  },
  merge(into, from) {
    into.delivered += from.delivered;
    into.clicked += from.clicked;
  },
  partial: (state) => ({ delivered: state.delivered, clicked: state.clicked }),
};
