-- SESSION(gap) per user_id over all auth events. Sort a user's events by time; an event less than `gap`
-- after the previous one joins its session, one exactly `gap` (or more) after it starts a new session.
-- Events at equal times are separate events; (partition, offset) only makes the order total.
WITH ordered AS (
  SELECT
    user_id, event_type, event_time_ms, "partition", "offset",
    event_time_ms - lag(event_time_ms) OVER by_time AS since_previous_ms
  FROM events
  WHERE topic = 'lms.auth'
  WINDOW by_time AS (PARTITION BY user_id ORDER BY event_time_ms, "partition", "offset")
),
numbered AS (
  SELECT
    *,
    -- running count of session starts up to this event = its session number
    sum(CASE WHEN since_previous_ms IS NULL OR since_previous_ms >= getvariable('session_gap_ms')
             THEN 1 ELSE 0 END)
      OVER (PARTITION BY user_id ORDER BY event_time_ms, "partition", "offset" ROWS UNBOUNDED PRECEDING)
      AS session_number
  FROM ordered
),
sessions AS (
  SELECT *, max(event_time_ms) OVER (PARTITION BY user_id, session_number) AS last_time_ms
  FROM numbered
)
SELECT
  min(event_time_ms)                                          AS session_start,
  max(event_time_ms) + getvariable('session_gap_ms')          AS session_end,
  user_id,
  count(*)                                                    AS events,
  count(*) FILTER (WHERE event_type = 'login_success')        AS logins,
  (max(event_time_ms) - min(event_time_ms))::DOUBLE / 1000    AS duration_seconds,
  -- ties at the last time: true if any event at that time is a logout
  bool_or(event_type = 'logout' AND event_time_ms = last_time_ms) AS ended_by_logout
FROM sessions
GROUP BY user_id, session_number
