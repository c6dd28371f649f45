/**
 * views.md | course_realtime_material_access_5min | T5 | course_id, material_type | material_accessed |
 * accesses, distinct_users, distinct_materials (not keyed by user: partial rows carry the id set) |
 */
import { idsColumn, idsOf } from '../engine/aggregate.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS, twoPartKey } from './common.ts';

export default windowView({
  name: 'course_realtime_material_access_5min',
  inputTypes: ['material_accessed'],
  window: tumbling(FIVE_MINUTES_MS),
  keyColumns: ['course_id', 'material_type'],
  key: (event) => twoPartKey(event.course_id, event.material_type),
  aggregate: {
    init: () => ({ accesses: 0, users: new Set<string>(), materials: new Set<string>() }),
    add(state, event) {
      state.accesses++;
      state.users.add(event.user_id);
      state.materials.add(event.material_id);
    },
    merge(into, from) {
      into.accesses += from.accesses;
      for (const user of from.users) into.users.add(user);
      for (const material of from.materials) into.materials.add(material);
    },
    partial: (state) => ({
      accesses: state.accesses,
      distinct_users: state.users.size,
      _material_ids: idsColumn(state.materials),
    }),
  },
  merge: { accesses: 'sum', distinct_users: 'sum', _material_ids: 'union' },
  mergeColumnTypes: { _material_ids: 'json' },
  finish: (row) => ({ distinct_materials: idsOf(row._material_ids!).length }),
});
