-- T5 per (course_id, assessment_id) over quiz_started and quiz_completed.
SELECT
  tumbling_start(event_time_ms, 300000)                                  AS window_start,
  window_start + 300000                                                  AS window_end,
  course_id,
  assessment_id,
  count(*) FILTER (WHERE event_type = 'quiz_started')                    AS started,
  count(*) FILTER (WHERE event_type = 'quiz_completed')                  AS completed,
  completed::DOUBLE / NULLIF(started, 0)                                 AS completion_rate, -- NULL: no start
  avg(100 * score / max_score) FILTER (WHERE event_type = 'quiz_completed') AS avg_score_pct
FROM events
WHERE event_type IN ('quiz_started', 'quiz_completed')
GROUP BY window_start, course_id, assessment_id
