import { describe, expect, it } from 'vitest';
import { wireEvent, wireValue } from '../fixtures/valid-events.ts';
import { post, producedTexts, startWithFakes } from './ingest-test-server.ts';

function start(bodyLimitBytes?: number) {
  return startWithFakes(bodyLimitBytes === undefined ? {} : { bodyLimitBytes });
}

describe('POST /events', () => {
  it('produces every event of a JSON array to its type’s topic, keyed by user_id, with the text sent', async () => {
    const { server, produced, deadLetters } = start();
    const events = [
      wireEvent('login_success', { user_id: 'u-7' }),
      wireEvent('video_play'),
      wireEvent('profile_updated'),
    ];
    const response = await post(server, 'application/json', JSON.stringify(events));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ accepted: 3, rejected: 0, errors: [] });
    expect(produced).toEqual([
      { topic: 'lms.auth', key: 'u-7', value: Buffer.from(JSON.stringify(events[0])) },
      { topic: 'lms.video', key: 'u-1', value: Buffer.from(JSON.stringify(events[1])) },
      { topic: 'lms.profile', key: 'u-1', value: Buffer.from(JSON.stringify(events[2])) },
    ]);
    expect(deadLetters).toEqual([]);
  });

  it('keeps each NDJSON line’s exact text, including spacing and the original event_time string', async () => {
    const { server, produced } = start();
    const spaced =
      '{ "event_type": "logout", "event_id": "e-9", "event_time": "2025-01-06T08:00:00.000Z", "user_id": "u-2", "session_id": "s" }';
    const body = `${wireValue('course_viewed')}\r\n\n${spaced}\n`;
    const response = await post(server, 'application/x-ndjson; charset=utf-8', body);
    expect(response.json()).toMatchObject({ accepted: 2, rejected: 0 });
    expect(producedTexts(produced)).toEqual([wireValue('course_viewed'), spaced]);
  });

  it('reports invalid NDJSON lines by 1-based line number and dead-letters them with their text', async () => {
    const { server, produced, deadLetters } = start();
    const lines = [
      wireValue('quiz_started'),
      '{"event_type": ',
      wireValue('video_play', { event_type: 'video_rewind' }),
      wireValue('login_failure', { ip: undefined }),
      wireValue('quiz_completed', { score: 11 }),
    ];
    const response = await post(server, 'application/x-ndjson', lines.join('\n'));
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ accepted: 1, rejected: 4 });
    expect(
      body.errors.map((error: { line: number; path: string; rule: string }) => [
        error.line,
        error.path,
        error.rule,
      ]),
    ).toEqual([
      [2, '(value)', 'json'],
      [3, 'event_type', 'event-type'],
      [4, 'ip', 'required'],
      [5, 'score', 'score-at-most-max_score'],
    ]);
    expect(produced).toHaveLength(1);
    expect(
      deadLetters.map((rejection) => [rejection.line, rejection.index, rejection.value, rejection.topic]),
    ).toEqual([
      [2, null, lines[1], null],
      [3, null, lines[2], null],
      [4, null, lines[3], 'lms.auth'],
      [5, null, lines[4], 'lms.assessment'],
    ]);
    expect(deadLetters[0]).toMatchObject({
      reason: 'invalid',
      partition: null,
      offset: null,
      request_id: body.requestId,
    });
  });

  it('reports invalid array elements by 0-based index', async () => {
    const { server, deadLetters } = start();
    const events = [wireEvent('logout'), 42, wireEvent('logout', { user_id: '' }), { no: 'type' }];
    const response = await post(server, 'application/json', JSON.stringify(events));
    const body = response.json();
    expect(body).toMatchObject({ accepted: 1, rejected: 3 });
    expect(body.errors.map((error: { index: number; rule: string }) => [error.index, error.rule])).toEqual([
      [1, 'object'],
      [2, 'minLength'],
      [3, 'required'],
    ]);
    expect(deadLetters.map((rejection) => rejection.value)).toEqual([
      '42',
      JSON.stringify(events[2]),
      '{"no":"type"}',
    ]);
  });

  it('answers 400 for a body that is not JSON at all and still dead-letters the whole body', async () => {
    const { server, produced, deadLetters } = start();
    const response = await post(server, 'application/json', '[{"event_type": "logout"');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'unparseable_body' });
    expect(produced).toEqual([]);
    expect(deadLetters).toMatchObject([{ value: '[{"event_type": "logout"', rule: 'json', path: '(body)' }]);
  });

  it('answers 400 for a JSON body that is an object rather than an array', async () => {
    const { server, deadLetters } = start();
    const response = await post(server, 'application/json', wireValue('logout'));
    expect(response.statusCode).toBe(400);
    expect(deadLetters).toMatchObject([{ rule: 'array', value: wireValue('logout') }]);
  });

  it('answers 400 for an empty body of either type and stores nothing', async () => {
    const { server, deadLetters } = start();
    for (const type of ['application/json', 'application/x-ndjson']) {
      const response = await post(server, type, '  \n');
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'empty_body' });
    }
    const noBody = await server.inject({ method: 'POST', url: '/events' });
    expect(noBody.statusCode).toBe(400);
    expect(deadLetters).toEqual([]);
  });

  it('answers 413 with a JSON error for a body over the limit, producing nothing', async () => {
    const { server, produced } = start(1024);
    const body = Array.from({ length: 20 }, () => wireValue('logout')).join('\n');
    const response = await post(server, 'application/x-ndjson', body);
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: 'body_too_large', limitBytes: 1024 });
    expect(produced).toEqual([]);
  });

  it('answers 415 for other content types', async () => {
    const { server } = start();
    const response = await post(server, 'text/plain', wireValue('logout'));
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ error: 'unsupported_media_type' });
  });

  it('answers 503 when the broker does not acknowledge, so the client retries', async () => {
    const { server, state } = start();
    state.failWith = new Error('broker down');
    const response = await post(server, 'application/x-ndjson', wireValue('logout'));
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json().message).toContain('broker down');
  });

  it('answers 500 with a generic message and hands the error itself to onUnexpectedError', async () => {
    const broken = new Error('clock read /srv/internal/state failed');
    const { server, unexpected } = startWithFakes({
      clockMs: () => {
        throw broken;
      },
    });
    const response = await post(server, 'application/x-ndjson', wireValue('logout'), {
      'x-request-id': 'req-500',
    });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('/srv/internal');
    expect(response.json()).toEqual({
      error: 'internal',
      message: 'internal error: the server log has the details (requestId req-500)',
      requestId: 'req-500',
    });
    expect(unexpected).toEqual([broken]);
  });

  it('counts requests and events in /metrics and reports health', async () => {
    const { server } = start();
    await post(server, 'application/x-ndjson', `${wireValue('logout')}\n${wireValue('video_play')}\nnope`);
    const metrics = (await server.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('ingest_requests_total{status="200"} 1');
    expect(metrics).toContain('ingest_events_total{topic="lms.auth",outcome="accepted"} 1');
    expect(metrics).toContain('ingest_events_total{topic="none",outcome="rejected"} 1');
    expect((await server.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
