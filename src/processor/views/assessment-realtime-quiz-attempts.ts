/**
 * views.md | assessment_realtime_quiz_attempts | T5 | course_id, assessment_id | quiz_started,
 * quiz_completed | started, completed, completion_rate, avg_score_pct over completed |
 */
import { ratio } from '../engine/aggregate.ts';
import { windowView } from '../engine/view-definition.ts';
import { tumbling } from '../engine/windows.ts';
import { FIVE_MINUTES_MS, scorePct, twoPartKey } from './common.ts';

export default windowView({
  name: 'assessment_realtime_quiz_attempts',
  inputTypes: ['quiz_started', 'quiz_completed'],
  window: tumbling(FIVE_MINUTES_MS),
  keyColumns: ['course_id', 'assessment_id'],
  key: (event) => twoPartKey(event.course_id, event.assessment_id),
  aggregate: {
    init: () => ({ started: 0, completed: 0, pctSum: 0 }),
    add(state, event) {
      if (event.event_type === 'quiz_started') state.started++;
      else {
        state.completed++;
        state.pctSum += scorePct(event);
      }
    },
    merge(into, from) {
      into.started += from.started;
      into.completed += from.completed;
      into.pctSum += from.pctSum;
    },
    partial: (state) => ({
      started: state.started,
      completed: state.completed,
      _score_pct_sum: state.pctSum,
    }),
  },
  merge: { started: 'sum', completed: 'sum', _score_pct_sum: 'sum' },
  mergeColumnTypes: { _score_pct_sum: 'double' },
  finish: (row) => ({
    completion_rate: ratio(row.completed!, row.started!),
    avg_score_pct: ratio(row._score_pct_sum!, row.completed!),
  }),
});
