-- JOIN(10 min): each notification_sent S is matched with the notification_delivered events D of the same
-- user_id and notification_id whose time is in [S.time, S.time + 10 min], both ends INCLUDED. Only the
-- earliest match counts; unmatched D are ignored; one D may match several S. The row is the T1 window
-- of the sent time and the sent event's channel. Delivery times are reported in seconds.
WITH sends AS (
  SELECT
    s.event_time_ms        AS sent_ms,
    s.channel,
    min(d.event_time_ms)   AS first_delivered_ms  -- NULL when nothing matched
  FROM events AS s
  LEFT JOIN events AS d
    ON  d.event_type = 'notification_delivered'
    AND d.user_id = s.user_id
    AND d.notification_id = s.notification_id
    AND d.event_time_ms BETWEEN s.event_time_ms AND s.event_time_ms + 600000
  WHERE s.event_type = 'notification_sent'
  GROUP BY s."partition", s."offset", s.event_time_ms, s.channel  -- one group per sent event
)
SELECT
  tumbling_start(sent_ms, 60000)                              AS window_start,
  window_start + 60000                                        AS window_end,
  channel,
  count(*)                                                    AS sent,
  count(first_delivered_ms)                                   AS delivered,
  sent - delivered                                            AS undelivered,
  avg((first_delivered_ms - sent_ms)::DOUBLE / 1000)          AS avg_delivery_seconds,  -- delivered only
  max((first_delivered_ms - sent_ms)::DOUBLE / 1000)          AS max_delivery_seconds
FROM sends
GROUP BY window_start, channel
