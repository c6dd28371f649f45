/**
 * What the edge checks on an event's bytes before the contract's validator sees it: size first (by bytes,
 * before parsing), then UTF-8, then nesting depth, then JSON.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { wireValue } from '../fixtures/valid-events.ts';
import { post, producedTexts, startWithFakes } from './ingest-test-server.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

/** `[[…]]`, `depth` levels deep. */
function nestedArray(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** `text` as bytes with the byte at `offset` (an ASCII character of `text`) replaced. */
function withByte(text: string, offset: number, byte: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  bytes[offset] = byte;
  return bytes;
}

describe('nesting depth', () => {
  it('answers 400 to a JSON array nested 100,000 deep, naming the limit, and dead-letters the body as sent', async () => {
    const { server, produced, deadLetters, unexpected } = startWithFakes();
    const body = nestedArray(100_000);

    const response = await post(server, 'application/json', body);

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: 'unparseable_body',
      message: expect.stringContaining('32-level nesting limit'),
    });
    expect(produced).toEqual([]);
    expect(unexpected).toEqual([]);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({
      reason: 'invalid',
      path: '(body)',
      rule: 'depth',
      message: expect.stringContaining('32-level nesting limit'),
      value: body,
    });
  });

  it('rejects NDJSON lines nested deeper than the limit and still accepts the other lines', async () => {
    const { server, produced, deadLetters } = startWithFakes();
    const deepField = `{"event_type":"logout","extra":${nestedArray(10_000)}}`;
    const deepType = `{"event_type":${nestedArray(10_000)}}`;
    const body = [wireValue('logout'), deepField, deepType].join('\n');

    const response = await post(server, 'application/x-ndjson', body);

    expect(response.statusCode).toBe(200);
    const answer = response.json();
    expect(answer).toMatchObject({ accepted: 1, rejected: 2 });
    expect(answer.errors).toEqual([
      { line: 2, path: '(value)', rule: 'depth', message: expect.stringContaining('32-level nesting limit') },
      { line: 3, path: '(value)', rule: 'depth', message: expect.stringContaining('32-level nesting limit') },
    ]);
    expect(producedTexts(produced)).toEqual([wireValue('logout')]);
    expect(deadLetters.map((rejection) => rejection.value)).toEqual([deepField, deepType]);
  });

  it('accepts a line nested exactly to the limit as far as depth goes', async () => {
    const { server } = startWithFakes();
    const atLimit = `{"event_type":"logout","extra":${nestedArray(31)}}`;
    const response = await post(server, 'application/x-ndjson', atLimit);
    expect(response.json().errors[0].rule).not.toBe('depth');
  });
});

describe('event size', () => {
  it('rejects an NDJSON line over 64 KiB by its byte count, without parsing it', async () => {
    const { server, deadLetters } = startWithFakes();
    const parse = vi.spyOn(JSON, 'parse');
    const multiByte = `{"event_type":"logout","pad":"${'€'.repeat(30_000)}"}`; // 30,032 characters, 90,032 bytes
    const notJson = 'x'.repeat(70_000);
    const deep = nestedArray(100_000);
    const body = [multiByte, notJson, deep, wireValue('logout')].join('\n');

    const response = await post(server, 'application/x-ndjson', body);
    const parsedLengths = parse.mock.calls.map(([text]) => String(text).length);

    expect(Math.max(...parsedLengths)).toBeLessThan(1000);
    expect(response.json()).toMatchObject({ accepted: 1, rejected: 3 });
    expect(response.json().errors).toEqual([
      {
        line: 1,
        path: '(value)',
        rule: 'max-size',
        message: '(value): is 90032 bytes, over the 65536-byte limit',
      },
      {
        line: 2,
        path: '(value)',
        rule: 'max-size',
        message: '(value): is 70000 bytes, over the 65536-byte limit',
      },
      {
        line: 3,
        path: '(value)',
        rule: 'max-size',
        message: '(value): is 200000 bytes, over the 65536-byte limit',
      },
    ]);
    expect(deadLetters.map((rejection) => rejection.value)).toEqual([multiByte, notJson, deep]);
  });
});

describe('UTF-8', () => {
  it('rejects an NDJSON line with invalid UTF-8 as invalid, naming the byte offset, and keeps its raw bytes', async () => {
    const { server, produced, deadLetters } = startWithFakes();
    const good = Buffer.from(wireValue('logout'));
    const text = wireValue('logout', { session_id: 's-X' });
    const offset = text.indexOf('s-X') + 2;
    const bad = withByte(text, offset, 0xff);

    const response = await post(
      server,
      'application/x-ndjson',
      Buffer.concat([good, Buffer.from('\n'), bad]),
    );

    expect(response.json()).toMatchObject({ accepted: 1, rejected: 1 });
    expect(response.json().errors).toEqual([
      {
        line: 2,
        path: '(value)',
        rule: 'utf8',
        message: `(value): is not UTF-8 (byte 0xff at byte offset ${offset})`,
      },
    ]);
    expect(produced.map((record) => record.value)).toEqual([good]);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({ reason: 'invalid', rule: 'utf8', line: 2 });
    expect(deadLetters[0]!.value).toEqual(bad);
  });

  it('produces each NDJSON line with exactly the bytes received', async () => {
    const { server, produced, deadLetters } = startWithFakes();
    const lines = [
      wireValue('login_success', { user_agent: 'Mozilla ☃ — naïve e\u0301 \u2028 😀' }),
      '{"event_type":"logout","event_id":"e-\\u00e9","event_time":"2025-01-06T08:00:00.000Z","user_id":"u-1","session_id":"s"}',
    ];

    await post(server, 'application/x-ndjson', Buffer.from(`${lines[0]}\r\n${lines[1]}\n`));

    expect(produced.map((record) => record.value)).toEqual(lines.map((line) => Buffer.from(line, 'utf8')));
    expect(deadLetters).toEqual([]);
  });

  it('answers 400 to a JSON array body that is not UTF-8 and dead-letters its raw bytes', async () => {
    const { server, produced, deadLetters } = startWithFakes();
    const text = `[${wireValue('logout', { session_id: 's-X' })}]`;
    const offset = text.indexOf('s-X') + 2;
    const body = withByte(text, offset, 0xc0);

    const response = await post(server, 'application/json', body);

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      error: 'unparseable_body',
      message: `body is not UTF-8 (byte 0xc0 at byte offset ${offset})`,
    });
    expect(produced).toEqual([]);
    expect(deadLetters).toMatchObject([{ reason: 'invalid', path: '(body)', rule: 'utf8' }]);
    expect(deadLetters[0]!.value).toEqual(body);
  });
});
