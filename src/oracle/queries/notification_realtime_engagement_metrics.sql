-- T5 per user_id over notification_delivered and notification_clicked.
SELECT
  tumbling_start(event_time_ms, 300000)                          AS window_start,
  window_start + 300000                                          AS window_end,
  user_id,
  count(*) FILTER (WHERE event_type = 'notification_delivered')  AS delivered,
  count(*) FILTER (WHERE event_type = 'notification_clicked')    AS clicked,
  clicked::DOUBLE / NULLIF(delivered, 0)                         AS click_rate
FROM events
WHERE event_type IN ('notification_delivered', 'notification_clicked')
GROUP BY window_start, user_id
