-- T5 per video_id over video_play, video_pause, video_complete. Rates are NULL for a video with no
-- play in the window (its row exists because of a pause or complete).
SELECT
  tumbling_start(event_time_ms, 300000)                   AS window_start,
  window_start + 300000                                   AS window_end,
  video_id,
  count(*) FILTER (WHERE event_type = 'video_play')       AS plays,
  count(*) FILTER (WHERE event_type = 'video_pause')      AS pauses,
  count(*) FILTER (WHERE event_type = 'video_complete')   AS completes,
  completes::DOUBLE / NULLIF(plays, 0)                    AS completion_rate,
  pauses::DOUBLE / NULLIF(plays, 0)                       AS pause_rate
FROM events
WHERE event_type IN ('video_play', 'video_pause', 'video_complete')
GROUP BY window_start, video_id
