-- T1 per course_id over assignment_submitted, quiz_completed, assignment_graded.
-- score_pct = 100 * score / max_score, over the scored events only (NULL when none are scored).
SELECT
  tumbling_start(event_time_ms, 60000)                                                  AS window_start,
  window_start + 60000                                                                  AS window_end,
  course_id,
  count(*) FILTER (WHERE event_type IN ('assignment_submitted', 'quiz_completed'))      AS submissions,
  count(*) FILTER (WHERE event_type IN ('quiz_completed', 'assignment_graded'))         AS scored,
  avg(100 * score / max_score) FILTER (WHERE event_type IN ('quiz_completed', 'assignment_graded')) AS avg_score_pct,
  min(100 * score / max_score) FILTER (WHERE event_type IN ('quiz_completed', 'assignment_graded')) AS min_score_pct,
  max(100 * score / max_score) FILTER (WHERE event_type IN ('quiz_completed', 'assignment_graded')) AS max_score_pct
FROM events
WHERE event_type IN ('assignment_submitted', 'quiz_completed', 'assignment_graded')
GROUP BY window_start, course_id
