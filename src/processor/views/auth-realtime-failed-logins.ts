/** views.md | auth_realtime_failed_logins | T1 | user_id | login_failure | failed_attempts, distinct_ips, suspected_brute_force | */
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { ONE_MINUTE_MS } from './common.ts';

const BRUTE_FORCE_ATTEMPTS = 5;

export default windowView({
  name: 'auth_realtime_failed_logins',
  inputTypes: ['login_failure'],
  window: tumbling(ONE_MINUTE_MS),
  keyColumns: ['user_id'],
  key: (event) => event.user_id,
  aggregate: {
    init: () => ({ attempts: 0, ips: new Set<string>() }),
    add(state, event) {
      state.attempts++;
      state.ips.add(event.ip);
    },
    merge(into, from) {
      into.attempts += from.attempts;
      for (const ip of from.ips) into.ips.add(ip);
    },
    partial: (state) => ({ failed_attempts: state.attempts, distinct_ips: state.ips.size }),
  },
  // distinct_ips is per user, and a user's events sit in one partition: partial counts add.
  merge: { failed_attempts: 'sum', distinct_ips: 'sum' },
  finish: (row) => ({ suspected_brute_force: Number(row.failed_attempts) >= BRUTE_FORCE_ATTEMPTS }),
});
