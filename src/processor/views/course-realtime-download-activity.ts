/** docs/contract/views.md | course_realtime_download_activity | T1 | course_id | resource_downloaded | downloads, bytes (sum), distinct_users | */
import { count, distinct, sum } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { ONE_MINUTE_MS } from './common.ts';

export default windowView({
  name: 'course_realtime_download_activity',
  inputTypes: ['resource_downloaded'],
  window: tumbling(ONE_MINUTE_MS),
  key: (event) => event.course_id,
}).select({
  downloads: count(),
  bytes: sum((event) => event.bytes),
  distinct_users: distinct((event) => event.user_id),
});
