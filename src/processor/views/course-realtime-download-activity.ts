/** views.md | course_realtime_download_activity | T1 | course_id | resource_downloaded | downloads, bytes (sum), distinct_users | */
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { ONE_MINUTE_MS } from './common.ts';

export default windowView({
  name: 'course_realtime_download_activity',
  inputTypes: ['resource_downloaded'],
  window: tumbling(ONE_MINUTE_MS),
  keyColumns: ['course_id'],
  key: (event) => event.course_id,
  aggregate: {
    init: () => ({ downloads: 0, bytes: 0, users: new Set<string>() }),
    add(state, event) {
      state.downloads++;
      state.bytes += event.bytes;
      state.users.add(event.user_id);
    },
    merge(into, from) {
      into.downloads += from.downloads;
      into.bytes += from.bytes;
      for (const user of from.users) into.users.add(user);
    },
    partial: (state) => ({
      downloads: state.downloads,
      bytes: state.bytes,
      distinct_users: state.users.size,
    }),
  },
  merge: { downloads: 'sum', bytes: 'sum', distinct_users: 'sum' },
  finish: () => ({}),
});
