import { describe, expect, it } from 'vitest';
import { MAX_VALUE_BYTES, topicOfEventType, type EventType, type Topic } from '../../src/events/topics.ts';
import { validateEvent, validateValue, type Validation } from '../../src/events/validate.ts';
import { ALL_EVENT_TYPES, ownRequiredFields, wireEvent, wireValue } from '../fixtures/valid-events.ts';

function errorOf(result: Validation): { path: string; rule: string; message: string } {
  if (result.ok) throw new Error(`expected a rejection, got a valid ${result.event.event_type}`);
  return result.error;
}

function check(type: EventType, overrides: Record<string, unknown>, key: string | null = 'u-1'): Validation {
  return validateValue(topicOfEventType(type), key, wireValue(type, overrides));
}

describe('valid events', () => {
  it.each(ALL_EVENT_TYPES)('accepts a well-formed %s and converts event_time to epoch ms', (type) => {
    const result = check(type, {});
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.event.event_time).toBe(Date.UTC(2025, 0, 6, 8));
  });

  it('ignores an unknown extra field, even one holding a number too large for a double', () => {
    const value = wireValue('course_viewed').replace(/}$/, ',"extra":1e999}');
    expect(validateValue('lms.course', 'u-1', value).ok).toBe(true);
  });

  it('accepts ids of exactly 64 UTF-16 code units and optional fields set to null', () => {
    expect(check('logout', { event_id: 'x'.repeat(64), user_id: 'y'.repeat(64) }, 'y'.repeat(64)).ok).toBe(
      true,
    );
    expect(check('course_viewed', { session_id: null }).ok).toBe(true);
    expect(check('login_success', { user_agent: undefined }).ok).toBe(true);
  });

  it('accepts score equal to max_score and watched_s at both ends of 0–60', () => {
    expect(check('quiz_completed', { score: 10, max_score: 10 }).ok).toBe(true);
    expect(check('video_heartbeat', { watched_s: 0 }).ok).toBe(true);
    expect(check('video_heartbeat', { watched_s: 60 }).ok).toBe(true);
  });

  it('accepts the first millisecond of 1970, a leap day and the last millisecond of 9999', () => {
    expect(check('logout', { event_time: '1970-01-01T00:00:00.000Z' }).ok).toBe(true);
    expect(check('logout', { event_time: '2024-02-29T23:59:59.999Z' }).ok).toBe(true);
    expect(check('logout', { event_time: '9999-12-31T23:59:59.999Z' }).ok).toBe(true);
  });

  it('validates an already-parsed object without a key to compare (HTTP bodies)', () => {
    expect(validateEvent('lms.auth', undefined, wireEvent('logout')).ok).toBe(true);
  });
});

describe('what is not a valid event', () => {
  it.each([
    ['not JSON', '{"event_id":', 'json'],
    ['NaN', 'NaN', 'json'],
    ['Infinity', 'Infinity', 'json'],
    ['a number', '42', 'object'],
    ['null', 'null', 'object'],
    ['an array', '[{"event_type":"logout"}]', 'object'],
    ['a string', '"logout"', 'object'],
  ])('rejects a value that is %s', (_name, value, rule) => {
    const error = errorOf(validateValue('lms.auth', 'u-1', value));
    expect(error).toMatchObject({ path: '(value)', rule });
  });

  it('rejects a value over 64 KiB of UTF-8 and accepts one exactly at the limit', () => {
    const event = wireEvent('course_viewed', { padding: '' });
    const room = MAX_VALUE_BYTES - JSON.stringify(event).length;
    const atLimit = JSON.stringify({ ...event, padding: 'x'.repeat(room) });
    expect(Buffer.byteLength(atLimit)).toBe(MAX_VALUE_BYTES);
    expect(validateValue('lms.course', 'u-1', atLimit).ok).toBe(true);
    const multiByte = JSON.stringify({ ...event, padding: 'é'.repeat(room / 2 + 1) }); // 2 bytes each
    expect(errorOf(validateValue('lms.course', 'u-1', multiByte))).toMatchObject({ rule: 'max-size' });
  });

  it.each(ALL_EVENT_TYPES.flatMap((type) => ownRequiredFields(type).map((field) => [type, field] as const)))(
    'rejects %s without %s, or with it null',
    (type, field) => {
      expect(errorOf(check(type, { [field]: undefined }))).toMatchObject({ path: field, rule: 'required' });
      expect(errorOf(check(type, { [field]: null }))).toMatchObject({ path: field, rule: 'type' });
    },
  );

  it.each(['event_id', 'event_type', 'event_time', 'user_id'])(
    'rejects an event without envelope field %s',
    (field) => {
      expect(errorOf(check('logout', { [field]: undefined }))).toMatchObject({
        path: field,
        rule: 'required',
      });
    },
  );

  it.each([
    ['event_id', 7, 'type'],
    ['event_id', '', 'minLength'],
    ['user_id', true, 'type'],
    ['session_id', 12, 'type'],
    ['course_id', ['c'], 'type'],
  ])('rejects envelope field %s = %j (%s)', (field, value, rule) => {
    const key = field === 'user_id' ? null : 'u-1';
    expect(errorOf(check('logout', { [field]: value }, key))).toMatchObject({ path: field, rule });
  });

  it('rejects ids over 64 UTF-16 code units, counting an astral character as two', () => {
    expect(errorOf(check('logout', { event_id: 'x'.repeat(65) }))).toMatchObject({
      path: 'event_id',
      rule: 'maxLength',
    });
    const astral = '😀'.repeat(33); // 33 code points, 66 UTF-16 units
    expect(errorOf(check('logout', { user_id: astral }, astral))).toMatchObject({
      path: 'user_id',
      rule: 'maxLength',
    });
  });

  it.each([
    ['a type of another topic', 'video_play', 'event-type'],
    ['an unknown type', 'logged_in', 'event-type'],
    ['a non-string type', 3, 'type'],
  ])('rejects %s', (_name, eventType, rule) => {
    const value = JSON.stringify({ ...wireEvent('logout'), event_type: eventType });
    expect(errorOf(validateValue('lms.auth', 'u-1', value))).toMatchObject({ path: 'event_type', rule });
  });

  it.each([
    ['a date without time', '2025-01-06'],
    ['no milliseconds', '2025-01-06T08:00:00Z'],
    ['microseconds', '2025-01-06T08:00:00.000000Z'],
    ['an offset instead of Z', '2025-01-06T08:00:00.000+00:00'],
    ['February 30', '2025-02-30T08:00:00.000Z'],
    ['February 29 of a common year', '2025-02-29T08:00:00.000Z'],
    ['hour 24', '2025-01-06T24:00:00.000Z'],
    ['second 60', '2025-01-06T23:59:60.000Z'],
    ['month 13', '2025-13-06T08:00:00.000Z'],
    ['a time before 1970', '1969-12-31T23:59:59.999Z'],
    ['letters in digits', '2025-01-0xT08:00:00.000Z'],
    ['a number', 1736150400000],
  ])('rejects event_time as %s', (_name, eventTime) => {
    const error = errorOf(check('logout', { event_time: eventTime }));
    expect(error.path).toBe('event_time');
    expect(error.message).toContain(String(eventTime));
  });

  it.each([
    ['quiz_completed', 'score', -1],
    ['quiz_completed', 'max_score', 0],
    ['assignment_graded', 'score', '8'],
    ['video_play', 'position_s', -0.5],
    ['video_seek', 'to_s', true],
    ['video_heartbeat', 'watched_s', 60.5],
    ['resource_downloaded', 'bytes', 1.5],
    ['resource_downloaded', 'bytes', 2 ** 53],
    ['material_accessed', 'material_type', 'video'],
    ['login_failure', 'failure_reason', 'forgot'],
    ['notification_sent', 'channel', 'sms'],
    ['profile_updated', 'fields', []],
    ['preferences_updated', 'fields', Array.from({ length: 21 }, (_, i) => `f${i}`)],
    ['profile_updated', 'fields', 'name'],
  ] as const)('rejects %s with %s = %j', (type, field, value) => {
    expect(errorOf(check(type, { [field]: value })).path).toBe(field);
  });

  it('rejects a field name list with a non-string entry, naming its index', () => {
    expect(errorOf(check('profile_updated', { fields: ['a', 3] })).path).toBe('fields[1]');
  });

  it('rejects a number literal too large for a double in a contract field', () => {
    const value = wireValue('video_play').replace('"position_s":0', '"position_s":1e999');
    const error = errorOf(validateValue('lms.video', 'u-1', value));
    expect(error).toMatchObject({ path: 'position_s', rule: 'type' });
    expect(error.message).toContain('Infinity');
  });

  it('rejects score above max_score', () => {
    expect(errorOf(check('assignment_graded', { score: 10.5, max_score: 10 }))).toMatchObject({
      path: 'score',
      rule: 'score-at-most-max_score',
    });
  });

  it('rejects a message key that differs from user_id, and a null key', () => {
    expect(errorOf(check('logout', {}, 'u-2'))).toMatchObject({ path: '(key)', rule: 'key-equals-user_id' });
    expect(errorOf(check('logout', {}, null))).toMatchObject({ path: '(key)', rule: 'key-equals-user_id' });
  });

  it('names the topic in the message of an event type foreign to it', () => {
    const topic: Topic = 'lms.profile';
    const error = errorOf(validateValue(topic, 'u-1', wireValue('logout')));
    expect(error.message).toContain('lms.profile');
  });
});

describe('records as received: bytes and tombstones', () => {
  /** A valid quiz_started whose course_id ends in `bytes`, and the offset where they start. */
  function quizWithCourseBytes(...bytes: number[]): { value: Buffer; offset: number } {
    const text = wireValue('quiz_started', { course_id: 'c-1' });
    const offset = Buffer.byteLength(text.slice(0, text.indexOf('c-1') + 3));
    const value = Buffer.concat([
      Buffer.from(text).subarray(0, offset),
      Buffer.from(bytes),
      Buffer.from(text).subarray(offset),
    ]);
    return { value, offset };
  }

  it('rejects a value that is not UTF-8, naming the byte offset of its first bad byte', () => {
    const { value, offset } = quizWithCourseBytes(0xfe);
    expect(errorOf(validateValue('lms.assessment', 'u-1', value))).toEqual({
      path: '(value)',
      rule: 'utf8',
      message: `(value): is not UTF-8 (byte 0xfe at byte offset ${offset})`,
    });
  });

  it('rejects a key that is not UTF-8', () => {
    const key = Buffer.from([0x75, 0x2d, 0x31, 0xff]);
    expect(errorOf(validateValue('lms.auth', key, wireValue('logout')))).toMatchObject({
      path: '(key)',
      rule: 'utf8',
      message: '(key): is not UTF-8 (byte 0xff at byte offset 3)',
    });
  });

  it('rejects a tombstone (null value) under its own rule, and an empty value as not JSON', () => {
    expect(errorOf(validateValue('lms.auth', 'u-1', null))).toMatchObject({
      path: '(value)',
      rule: 'tombstone',
    });
    expect(errorOf(validateValue('lms.auth', 'u-1', ''))).toMatchObject({ path: '(value)', rule: 'json' });
  });

  it('judges bytes that are UTF-8 after all by their text', () => {
    const { value } = quizWithCourseBytes(...Buffer.from('é'));
    expect(validateValue('lms.assessment', Buffer.from('u-1'), value).ok).toBe(true);
  });
});
