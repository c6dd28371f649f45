/** docs/contract/views.md | auth_realtime_login_rate | T1 | — | login_success, login_failure | attempts, successes, failures, success_rate | */
import { count, countIf, derived, ratio } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { ONE_MINUTE_MS } from './common.ts';

export default windowView({
  name: 'auth_realtime_login_rate',
  inputTypes: ['login_success', 'login_failure'],
  window: tumbling(ONE_MINUTE_MS),
}).select({
  login_attempts: count(),
  login_successes: countIf((event) => event.event_type === 'login_success'),
  login_failures: countIf((event) => event.event_type === 'login_failure'),
  success_rate: derived((row) => ratio(row.login_successes, row.login_attempts)),
});
