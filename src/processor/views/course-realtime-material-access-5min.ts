/**
 * docs/contract/views.md | course_realtime_material_access_5min | T5 | course_id, material_type | material_accessed |
 * accesses, distinct_users, distinct_materials (not keyed by user: partial rows carry the id set) |
 */
import { count, derived, distinct, idCount, idSet } from '../engine/columns.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS, twoPartKey } from './common.ts';

export default windowView({
  name: 'course_realtime_material_access_5min',
  inputTypes: ['material_accessed'],
  window: tumbling(FIVE_MINUTES_MS),
  key: (event) => twoPartKey(event.course_id, event.material_type),
}).select({
  accesses: count(),
  distinct_users: distinct((event) => event.user_id),
  _material_ids: idSet((event) => event.material_id),
  distinct_materials: derived((row) => idCount(row._material_ids)),
});
