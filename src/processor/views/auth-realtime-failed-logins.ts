/** docs/contract/views.md | auth_realtime_failed_logins | T1 | user_id | login_failure | failed_attempts, distinct_ips, suspected_brute_force | */
import { count, derived, distinct } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { ONE_MINUTE_MS } from './common.ts';

const BRUTE_FORCE_ATTEMPTS = 5;

export default windowView({
  name: 'auth_realtime_failed_logins',
  inputTypes: ['login_failure'],
  window: tumbling(ONE_MINUTE_MS),
  key: (event) => event.user_id,
}).select({
  failed_attempts: count(),
  // distinct_ips is per user, and a user's events sit in one partition: partial counts add.
  distinct_ips: distinct((event) => event.ip),
  suspected_brute_force: derived((row) => Number(row.failed_attempts) >= BRUTE_FORCE_ATTEMPTS),
});
