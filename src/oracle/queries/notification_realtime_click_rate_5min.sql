-- T5 per channel over notification_delivered and notification_clicked (each event's own channel).
SELECT
  tumbling_start(event_time_ms, 300000)                          AS window_start,
  window_start + 300000                                          AS window_end,
  channel,
  count(*) FILTER (WHERE event_type = 'notification_delivered')  AS delivered,
  count(*) FILTER (WHERE event_type = 'notification_clicked')    AS clicked,
  clicked::DOUBLE / NULLIF(delivered, 0)                         AS ctr
FROM events
WHERE event_type IN ('notification_delivered', 'notification_clicked')
GROUP BY window_start, channel
