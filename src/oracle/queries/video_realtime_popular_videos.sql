-- T5, top 10 videos by plays per window: rank 1..min(10, videos played in the window), ordered by
-- plays descending, then video_id ascending in UTF-16 code unit order (utf16_order, see _prelude.sql).
WITH per_video AS (
  SELECT
    tumbling_start(event_time_ms, 300000) AS window_start,
    video_id,
    count(*)                              AS plays,
    count(DISTINCT user_id)               AS viewers
  FROM events
  WHERE event_type = 'video_play'
  GROUP BY window_start, video_id
),
ranked AS (
  SELECT
    *,
    row_number() OVER (PARTITION BY window_start ORDER BY plays DESC, utf16_order(video_id)) AS rank
  FROM per_video
)
SELECT
  window_start,
  window_start + 300000 AS window_end,
  rank,
  video_id,
  plays,
  viewers
FROM ranked
WHERE rank <= 10
