/**
 * docs/contract/views.md | auth_realtime_session_activity | SESSION(10m) | user_id | all auth events | user_id,
 * session_start, session_end, events, logins, duration_seconds, ended_by_logout |
 * Ties at the last time: ended_by_logout if any event at that time is a logout.
 */
import { count, countIf, custom } from '../engine/columns.ts';
import { sessionView } from '../engine/view-definition.ts';
import { AUTH_TYPES } from './common.ts';

/** First and last event time of a session. */
interface Span {
  firstMs: number;
  lastMs: number;
}

/** The last event time, and whether an event at that time is a logout. */
interface LastEvent {
  lastMs: number;
  logout: boolean;
}

function widen(span: Span, firstMs: number, lastMs: number): void {
  if (firstMs < span.firstMs) span.firstMs = firstMs;
  if (lastMs > span.lastMs) span.lastMs = lastMs;
}

function atTime(last: LastEvent, timeMs: number, logout: boolean): void {
  if (timeMs > last.lastMs) {
    last.lastMs = timeMs;
    last.logout = logout;
  } else if (timeMs === last.lastMs) last.logout ||= logout;
}

export default sessionView({
  name: 'auth_realtime_session_activity',
  inputTypes: AUTH_TYPES,
  key: (event) => event.user_id,
}).select({
  events: count(),
  logins: countIf((event) => event.event_type === 'login_success'),
  duration_seconds: custom({
    mergeKind: 'max',
    init: (): Span => ({ firstMs: Infinity, lastMs: -Infinity }),
    add: (span, event) => widen(span, event.event_time, event.event_time),
    merge: (into, from) => widen(into, from.firstMs, from.lastMs),
    value: (span) => (span.firstMs > span.lastMs ? 0 : (span.lastMs - span.firstMs) / 1000),
  }),
  ended_by_logout: custom({
    mergeKind: 'or',
    init: (): LastEvent => ({ lastMs: -Infinity, logout: false }),
    add: (last, event) => atTime(last, event.event_time, event.event_type === 'logout'),
    merge: (into, from) => atTime(into, from.lastMs, from.logout),
    value: (last) => last.logout,
  }),
});
