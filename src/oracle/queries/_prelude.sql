-- Helpers the 25 view queries use. Run once per connection, after the `events` table exists, and set
--   SET VARIABLE session_gap_ms = 600000;
-- `events` holds one row per accepted event; event_time_ms is epoch milliseconds (UTC, >= 0).

-- Tumbling window T(size): the one window [start, start + size) with start = floor(t / size) * size.
CREATE OR REPLACE TEMP MACRO tumbling_start(t, size_ms) AS (t // size_ms) * size_ms;

-- Sliding window S(size, slide), size a multiple of slide: every start that is a multiple of slide with
-- start <= t < start + size, i.e. size / slide starts (five for S(5 min, 1 min)). Starts may be negative
-- for events in the first minutes after the epoch; the formula is kept as is.
CREATE OR REPLACE TEMP MACRO sliding_starts(t, size_ms, slide_ms) AS
  generate_series(tumbling_start(t, slide_ms) - size_ms + slide_ms, tumbling_start(t, slide_ms), slide_ms);

-- DuckDB orders VARCHAR by UTF-8 bytes (= code points); the contract orders strings by UTF-16 code units.
-- The two orders differ only between U+E000..U+FFFF and the supplementary code points (>= U+10000),
-- which UTF-16 writes as surrogates D800..DFFF and so puts first. This key (a list of code points, with
-- U+E000..U+FFFF lifted above U+10FFFF) sorts exactly like JavaScript's `a < b`. '' gives [-1], first.
CREATE OR REPLACE TEMP MACRO utf16_order(s) AS
  list_transform(string_split(s, ''),
                 c -> CASE WHEN unicode(c) BETWEEN 57344 AND 65535 THEN unicode(c) + 1114112 ELSE unicode(c) END);
