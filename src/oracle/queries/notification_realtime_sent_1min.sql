-- T1 per channel over notification_sent.
SELECT
  tumbling_start(event_time_ms, 60000) AS window_start,
  window_start + 60000                 AS window_end,
  channel,
  count(*)                             AS sent
FROM events
WHERE event_type = 'notification_sent'
GROUP BY window_start, channel
