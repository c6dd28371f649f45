/** views.md | auth_realtime_login_rate | T1 | — | login_success, login_failure | attempts, successes, failures, success_rate | */
import { ratio } from '../engine/aggregate.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { noKey, ONE_MINUTE_MS } from './common.ts';

export default windowView({
  name: 'auth_realtime_login_rate',
  inputTypes: ['login_success', 'login_failure'],
  window: tumbling(ONE_MINUTE_MS),
  keyColumns: [],
  key: noKey,
  aggregate: {
    init: () => ({ successes: 0, failures: 0 }),
    add(state, event) {
      if (event.event_type === 'login_success') state.successes++;
      else state.failures++;
    },
    merge(into, from) {
      into.successes += from.successes;
      into.failures += from.failures;
    },
    partial: (state) => ({
      login_attempts: state.successes + state.failures,
      login_successes: state.successes,
      login_failures: state.failures,
    }),
  },
  merge: { login_attempts: 'sum', login_successes: 'sum', login_failures: 'sum' },
  finish: (row) => ({ success_rate: ratio(row.login_successes!, row.login_attempts!) }),
});
