-- T1, no key, over login_success and login_failure. A row exists only with >= 1 attempt, so the
-- NULLIF never fires here; it states the rule (a ratio over a zero denominator is NULL).
SELECT
  tumbling_start(event_time_ms, 60000)                          AS window_start,
  window_start + 60000                                          AS window_end,
  count(*)                                                      AS login_attempts,
  count(*) FILTER (WHERE event_type = 'login_success')          AS login_successes,
  count(*) FILTER (WHERE event_type = 'login_failure')          AS login_failures,
  login_successes::DOUBLE / NULLIF(login_attempts, 0)           AS success_rate
FROM events
WHERE event_type IN ('login_success', 'login_failure')
GROUP BY window_start
