/**
 * The live-update stream of `serve` as a client meets it, over plain HTTP: finals in order as the
 * completeness moves on, resuming by Last-Event-ID with exactly the missed finals, provisional rows that
 * stop once their window is final, key filters, one connection for several views, the token, bad
 * requests, a client that never reads (dropped, counted, nobody else hurt) and shutdown.
 */
import { connect } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { VIEW_NAMES } from '../../src/events/view-catalog.ts';
import { at, failedRow, loginRow } from './query-fixture.ts';
import { HandProvisional, metricValue, streamServer } from './serve-stream-fixture.ts';
import { openStream, refusedBody, type SseEvent } from './sse-reader.ts';

const LOGIN = 'auth_realtime_login_rate';
const FAILED = 'auth_realtime_failed_logins';
const iso = (hhmm: string) => new Date(at(hhmm)).toISOString();
const windows = (event: SseEvent) => event.data.rows.map((row) => row.window_start);
const finals = (event: SseEvent) => event.event === 'final';

describe('final events', () => {
  it('sends the rows of windows as they complete, in order, rendered as the JSON answer', async () => {
    const { url, auth } = await streamServer();
    await auth.commit(at('08:03'), {
      [LOGIN]: [loginRow('08:00', 1, 0), loginRow('08:01', 2, 0), loginRow('08:05', 0, 1)],
    });
    const stream = await openStream(`${url}/v1/views/${LOGIN}/stream`);
    expect(stream.headers['content-type']).toContain('text/event-stream');

    const start = await stream.next(finals);
    await auth.commit(at('08:07'), { [LOGIN]: [loginRow('08:06', 3, 0)] });
    const second = await stream.next(finals, 1);
    await auth.commit(at('08:09'), { [LOGIN]: [loginRow('08:07', 1, 1)] });
    const third = await stream.next(finals, stream.events.indexOf(second) + 1);

    expect(start).toMatchObject({
      id: String(at('08:03')),
      data: { complete_through: iso('08:03'), rows: [] },
    });
    expect(second.id).toBe(String(at('08:07')));
    expect(windows(second)).toEqual([iso('08:05'), iso('08:06')]);
    expect(third.id).toBe(String(at('08:09')));
    expect(windows(third)).toEqual([iso('08:07')]);
    const answer = (await (
      await fetch(`${url}/v1/views/${LOGIN}?from=${iso('08:05')}&to=${iso('08:08')}`)
    ).json()) as { rows: unknown[] };
    expect([...second.data.rows, ...third.data.rows]).toEqual(answer.rows);
    expect(second.data.rows[0]).toMatchObject({ source: 'speed', is_final: true, login_attempts: 1 });
  });

  it('resumes from Last-Event-ID with exactly the finals it missed, in parts that are each a resume point', async () => {
    const { url, auth } = await streamServer({ stream: { rowsPerEvent: 2 } });
    await auth.commit(at('08:03'), { [LOGIN]: [loginRow('08:00', 1, 0), loginRow('08:05', 0, 1)] });
    await auth.commit(at('08:09'), { [LOGIN]: [loginRow('08:06', 3, 0), loginRow('08:07', 1, 1)] });

    const resumed = await openStream(`${url}/v1/views/${LOGIN}/stream`, {
      'last-event-id': String(at('08:03')),
    });
    const caughtUp = await resumed.next((event) => event.id === String(at('08:09')));
    const late = await openStream(`${url}/v1/views/${LOGIN}/stream`, {
      'last-event-id': String(at('08:07')),
    });
    const lateCaughtUp = await late.next(finals);
    await auth.commit(at('08:11'), { [LOGIN]: [loginRow('08:09', 2, 0)] });
    await resumed.next((event) => event.id === String(at('08:11')));
    await late.next((event) => event.id === String(at('08:11')));

    const resumedFinals = resumed.events.filter(finals);
    expect(resumedFinals.map((event) => event.id)).toEqual(
      [at('08:07'), at('08:09'), at('08:11')].map(String), // 2 rows, then the rest of the catch-up, then live
    );
    expect(resumedFinals.flatMap(windows)).toEqual([iso('08:05'), iso('08:06'), iso('08:07'), iso('08:09')]);
    expect(caughtUp.data.complete_through).toBe(iso('08:09'));
    expect(lateCaughtUp).toMatchObject({ id: String(at('08:09')) });
    expect(late.events.filter(finals).flatMap(windows)).toEqual([iso('08:07'), iso('08:09')]);
  });

  it('filters on key columns, and resumes a stream of several views from one id', async () => {
    const { url, auth } = await streamServer();
    await auth.commit(at('08:03'), {
      [FAILED]: [failedRow('08:00', 'u-1', 2), failedRow('08:00', 'u-2', 7)],
      [LOGIN]: [loginRow('08:00', 0, 9)],
    });
    await auth.commit(at('08:05'), {
      [FAILED]: [failedRow('08:03', 'u-1', 1), failedRow('08:03', 'u-2', 1)],
    });

    const one = await openStream(`${url}/v1/views/${FAILED}/stream?user_id=u-1`, {
      'last-event-id': String(at('08:00')),
    });
    const oneFinal = await one.next(finals);
    const both = await openStream(`${url}/v1/stream?views=${LOGIN},${FAILED}`);
    const firstId = (await both.next((event) => finals(event) && event.data.view === FAILED)).id!;
    await auth.commit(at('08:07'), { [LOGIN]: [loginRow('08:06', 1, 0)] });
    await both.next((event) => finals(event) && event.data.rows.length > 0);
    const again = await openStream(`${url}/v1/stream?views=${LOGIN},${FAILED}`, { 'last-event-id': firstId });
    const missed = await again.next((event) => finals(event) && event.data.view === LOGIN);

    expect(oneFinal.data.rows.map((row) => [row.window_start, row.user_id])).toEqual([
      [iso('08:00'), 'u-1'],
      [iso('08:03'), 'u-1'],
    ]);
    expect(firstId).toBe(`${LOGIN}:${at('08:05')},${FAILED}:${at('08:05')}`);
    expect(windows(missed)).toEqual([iso('08:06')]);
    expect(missed.id).toBe(`${LOGIN}:${at('08:07')},${FAILED}:${at('08:05')}`);
  });
});

describe('provisional events', () => {
  it('sends the current rows on connect and changes after, never for a window whose final was sent', async () => {
    const provisional = new HandProvisional();
    const { url, auth } = await streamServer({ provisional });
    await auth.commit(at('08:07'), { [LOGIN]: [loginRow('08:05', 1, 0)] });
    provisional.emit({ view: LOGIN, rows: [loginRow('08:08', 1, 0)], asOfMs: at('08:09') });

    const stream = await openStream(`${url}/v1/views/${LOGIN}/stream`);
    const onConnect = await stream.next((event) => event.event === 'provisional');
    provisional.emit({ view: LOGIN, rows: [loginRow('08:08', 2, 0)], asOfMs: at('08:10') });
    const changed = await stream.next(
      (event) => event.event === 'provisional',
      stream.events.indexOf(onConnect) + 1,
    );
    await auth.commit(at('08:09'), { [LOGIN]: [loginRow('08:08', 2, 1)] });
    const final = await stream.next((event) => event.id === String(at('08:09')));
    provisional.emit({
      view: 'auth_realtime_active_users_1min',
      rows: [{ window_start: at('08:09') }],
      asOfMs: 0,
    });
    provisional.emit({
      view: LOGIN,
      rows: [loginRow('08:08', 5, 0), loginRow('08:09', 1, 0)],
      asOfMs: at('08:11'),
    });
    const after = await stream.next(
      (event) => event.event === 'provisional',
      stream.events.indexOf(final) + 1,
    );

    expect(onConnect.id).toBeUndefined();
    expect(onConnect.data).toMatchObject({ view: LOGIN, as_of: iso('08:09') });
    expect(onConnect.data.rows).toEqual([
      expect.objectContaining({
        window_start: iso('08:08'),
        login_attempts: 1,
        source: 'provisional',
        is_final: false,
      }),
    ]);
    expect(changed.data.rows).toMatchObject([{ window_start: iso('08:08'), login_attempts: 2 }]);
    expect(final.data.rows).toMatchObject([
      { window_start: iso('08:08'), login_attempts: 3, source: 'speed' },
    ]);
    expect(after.data).toMatchObject({ view: LOGIN, as_of: iso('08:11') });
    expect(windows(after)).toEqual([iso('08:09')]); // the final 08:08 is not taken back
  });

  it('asks the provisional source only for the views somebody watches', async () => {
    const provisional = new HandProvisional();
    const { url } = await streamServer({ provisional });
    expect(provisional.wanted(LOGIN)).toBe(false);
    const stream = await openStream(`${url}/v1/views/${LOGIN}/stream`);
    await stream.next((event) => event.event === 'provisional');
    expect(provisional.wanted(LOGIN)).toBe(true);
    expect(provisional.wanted(FAILED)).toBe(false);
    stream.close();
    await vi.waitFor(() => expect(provisional.wanted(LOGIN)).toBe(false), { timeout: 30_000 });
  });
});

describe('slow clients, limits and shutdown', () => {
  it('drops a client that never reads once its unsent bytes pass the limit; the others keep everything', async () => {
    const provisional = new HandProvisional();
    const maxBufferedBytes = 256 * 1024;
    const { port, url, metrics } = await streamServer({ provisional, stream: { maxBufferedBytes } });
    const healthy = await openStream(`${url}/v1/views/${LOGIN}/stream`);
    await healthy.next((event) => event.event === 'provisional'); // live from here on
    const stalled = connect(port, '127.0.0.1');
    stalled.pause(); // reads nothing: the kernel's buffers fill, then the server's
    stalled.write(`GET /v1/views/${LOGIN}/stream HTTP/1.1\r\nhost: x\r\naccept: text/event-stream\r\n\r\n`);
    const closed = new Promise((resolve) => stalled.once('close', resolve));
    while ((await metricValue(metrics.streamSubscribers)) < 2) await new Promise((r) => setTimeout(r, 10));
    // ~100 KB per event: rows of 500 windows
    const rows = Array.from({ length: 500 }, (_, i) => loginRow('09:00', i, 1));
    let emitted = 0;
    const emitOne = async () => {
      const asOfMs = at('09:00') + emitted++;
      provisional.emit({ view: LOGIN, rows, asOfMs });
      await healthy.next((event) => event.data.as_of === new Date(asOfMs).toISOString());
    };
    while ((await metricValue(metrics.streamDroppedClients)) === 0 && emitted < 2000) await emitOne();
    for (let i = 0; i < 20; i++) await emitOne();
    stalled.destroy();
    await closed;

    expect(await metricValue(metrics.streamDroppedClients)).toBe(1);
    expect(await metricValue(metrics.streamSubscribers)).toBe(1);
    expect(emitted).toBeGreaterThan(maxBufferedBytes / 100_000); // it was the limit, not the first event
    expect(healthy.events.filter((event) => event.event === 'provisional')).toHaveLength(emitted + 1);
  });

  it('needs the bearer token when the server has one', async () => {
    const { url } = await streamServer({ token: 's3cret' });
    const refused = await openStream(`${url}/v1/views/${LOGIN}/stream`);
    const allowed = await openStream(`${url}/v1/stream?views=${LOGIN}`, { authorization: 'Bearer s3cret' });
    expect(refused.status).toBe(401);
    expect(refusedBody(refused)).toMatchObject({ error: 'unauthorized' });
    expect(allowed.status).toBe(200);
  });

  it('says 404 with the list for an unknown view and 400 for a bad key, id or views list', async () => {
    const { url } = await streamServer();
    const unknown = await openStream(`${url}/v1/views/no_such_view/stream`);
    const unknownInList = await openStream(`${url}/v1/stream?views=${LOGIN},no_such_view`);
    const badKey = await openStream(`${url}/v1/views/${LOGIN}/stream?course_id=c-1`);
    const badId = await openStream(`${url}/v1/views/${LOGIN}/stream`, { 'last-event-id': 'yesterday' });
    const noViews = await openStream(`${url}/v1/stream?views=`);

    expect(unknown.status).toBe(404);
    expect(refusedBody(unknown)).toMatchObject({ error: 'unknown_view', views: VIEW_NAMES });
    expect(unknownInList.status).toBe(404);
    expect([badKey.status, badId.status, noViews.status]).toEqual([400, 400, 400]);
    expect(refusedBody(badKey).message).toContain('course_id');
    expect(refusedBody(badId).message).toContain('Last-Event-ID');
  });

  it('lists both stream routes in the OpenAPI document', async () => {
    const { url } = await streamServer();
    const document = (await (await fetch(`${url}/v1/openapi.json`)).json()) as { paths: object };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/views/{view}/stream', '/v1/stream']),
    );
  });

  it('refuses streams over the subscriber cap with 503', async () => {
    const { url } = await streamServer({ stream: { maxSubscribers: 1 } });
    const first = await openStream(`${url}/v1/views/${LOGIN}/stream`);
    const second = await openStream(`${url}/v1/views/${LOGIN}/stream`);
    expect(first.status).toBe(200);
    expect(second.status).toBe(503);
    expect(refusedBody(second)).toMatchObject({ error: 'too_many_subscribers' });
  });

  it('ends every stream when the server closes, without waiting for the clients', async () => {
    const { url, server, metrics, auth } = await streamServer();
    await auth.commit(at('08:03'));
    const streams = [
      await openStream(`${url}/v1/views/${LOGIN}/stream`),
      await openStream(`${url}/v1/stream?views=${LOGIN},${FAILED}`),
    ];
    await Promise.all(streams.map((stream) => stream.next(finals)));

    await server.close();
    await Promise.all(streams.map((stream) => stream.ended));

    expect(await metricValue(metrics.streamSubscribers)).toBe(0);
  });
});
