/**
 * views.md | auth_realtime_session_activity | SESSION(10m) | user_id | all auth events | user_id,
 * session_start, session_end, events, logins, duration_seconds, ended_by_logout |
 * Ties at the last time: ended_by_logout if any event at that time is a logout.
 */
import { sessionView } from '../engine/view-definition.ts';
import { session } from '../engine/windows.ts';
import { AUTH_TYPES } from './common.ts';

interface SessionStats {
  firstMs: number;
  lastMs: number;
  events: number;
  logins: number;
  logoutAtLast: boolean;
}

export default sessionView({
  name: 'auth_realtime_session_activity',
  inputTypes: AUTH_TYPES,
  window: session(),
  keyColumns: ['user_id'],
  key: (event) => event.user_id,
  aggregate: {
    init: (): SessionStats => ({
      firstMs: Infinity,
      lastMs: -Infinity,
      events: 0,
      logins: 0,
      logoutAtLast: false,
    }),
    add(state, event) {
      const timeMs = event.event_time;
      const isLogout = event.event_type === 'logout';
      if (timeMs < state.firstMs) state.firstMs = timeMs;
      if (timeMs > state.lastMs) [state.lastMs, state.logoutAtLast] = [timeMs, isLogout];
      else if (timeMs === state.lastMs) state.logoutAtLast ||= isLogout;
      state.events++;
      if (event.event_type === 'login_success') state.logins++;
    },
    merge(into, from) {
      if (from.firstMs < into.firstMs) into.firstMs = from.firstMs;
      if (from.lastMs > into.lastMs) [into.lastMs, into.logoutAtLast] = [from.lastMs, from.logoutAtLast];
      else if (from.lastMs === into.lastMs) into.logoutAtLast ||= from.logoutAtLast;
      into.events += from.events;
      into.logins += from.logins;
    },
    partial: (state) => ({
      events: state.events,
      logins: state.logins,
      duration_seconds: state.events === 0 ? 0 : (state.lastMs - state.firstMs) / 1000,
      ended_by_logout: state.logoutAtLast,
    }),
  },
  merge: { events: 'sum', logins: 'sum', duration_seconds: 'max', ended_by_logout: 'or' },
  finish: () => ({}),
});
