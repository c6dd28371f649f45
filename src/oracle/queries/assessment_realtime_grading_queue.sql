-- JOIN(30 min): each assignment_submitted S is matched with the assignment_graded events G of the same
-- user_id and submission_id whose time is in [S.time, S.time + 30 min], both ends INCLUDED. Only the
-- earliest match counts; unmatched G are ignored; one G may match several S. The row is the T5 window
-- of the submission time and the submission's course_id.
WITH submissions AS (
  SELECT
    s.event_time_ms        AS submitted_ms,
    s.course_id,
    min(g.event_time_ms)   AS first_graded_ms  -- NULL when nothing matched
  FROM events AS s
  LEFT JOIN events AS g
    ON  g.event_type = 'assignment_graded'
    AND g.user_id = s.user_id
    AND g.submission_id = s.submission_id
    AND g.event_time_ms BETWEEN s.event_time_ms AND s.event_time_ms + 1800000
  WHERE s.event_type = 'assignment_submitted'
  GROUP BY s."partition", s."offset", s.event_time_ms, s.course_id  -- one group per submitted event
)
SELECT
  tumbling_start(submitted_ms, 300000)                    AS window_start,
  window_start + 300000                                   AS window_end,
  course_id,
  count(*)                                                AS submitted,
  count(first_graded_ms)                                  AS graded,
  submitted - graded                                      AS pending,
  avg((first_graded_ms - submitted_ms)::DOUBLE / 60000) AS avg_minutes_to_grade  -- over graded only
FROM submissions
GROUP BY window_start, course_id
