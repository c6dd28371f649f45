-- T5 per (course_id, material_type) over material_accessed.
SELECT
  tumbling_start(event_time_ms, 300000) AS window_start,
  window_start + 300000                 AS window_end,
  course_id,
  material_type,
  count(*)                              AS accesses,
  count(DISTINCT user_id)               AS distinct_users,
  count(DISTINCT material_id)           AS distinct_materials
FROM events
WHERE event_type = 'material_accessed'
GROUP BY window_start, course_id, material_type
