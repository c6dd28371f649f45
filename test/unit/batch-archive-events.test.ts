import { describe, expect, it } from 'vitest';
import { eventsSelectList } from '../../src/batch/archive-events.ts';
import { EVENT_COLUMNS } from '../../src/oracle/events-table.ts';

describe('the archive → events table mapping', () => {
  it('reads a field only from the event types that define it, as the oracle does', () => {
    const auth = eventsSelectList('lms.auth');

    expect(auth).toContain(
      `CAST(CASE WHEN event_type IN ('login_success', 'login_failure') THEN "ip" END AS VARCHAR) AS "ip"`,
    );
    expect(auth).toContain('NULL::VARCHAR AS "video_id"');
    expect(auth).toContain('CAST(epoch_ms(event_time_ms) AS BIGINT) AS "event_time_ms"');
  });

  it('derives fields_count from the JSON text of fields, and gives every events column in order', () => {
    const profile = eventsSelectList('lms.profile');

    expect(profile).toContain(
      `CAST(CASE WHEN event_type IN ('profile_updated', 'preferences_updated') THEN json_array_length("fields") END AS INTEGER) AS "fields_count"`,
    );
    const names = [...profile.matchAll(/ AS "([a-z_]+)"(,|$)/gm)].map((match) => match[1]);
    expect(names).toEqual(EVENT_COLUMNS.map((column) => column.name));
  });
});
