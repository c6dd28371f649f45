import { describe, expect, it } from 'vitest';
import { deadLetterLine, type DeadLetter } from '../../src/processor/io/dead-letter.ts';
import {
  describeSelection,
  isNarrowed,
  matchesSelection,
} from '../../src/processor/query/dead-letter-selection.ts';
import { formatDeadLetter, indentJson } from '../../src/processor/query/dead-letter-show.ts';
import { parseFixedDeadLetters } from '../../src/processor/query/fixed-dead-letters.ts';

const JAN6 = Date.parse('2025-01-06T08:00:00Z');

const letter = (offset: number, fields: Partial<DeadLetter> = {}): DeadLetter => ({
  topic: 'lms.auth',
  partition: 2,
  offset,
  timestamp: JAN6,
  reason: 'invalid',
  message: `bad at ${offset}`,
  key: 'u-1',
  value: `{"event_id":"e${offset}","n":[1,2]}`,
  ...fields,
});

describe('selecting dead letters', () => {
  it('matches on topic, partition, offset, reason and the record time range [from, to)', () => {
    const one = letter(5);

    expect(matchesSelection(one, { topic: 'lms.auth', partition: 2, offset: 5 })).toBe(true);
    expect(matchesSelection(one, { topic: 'lms.auth', partition: 2, offset: 6 })).toBe(false);
    expect(matchesSelection(one, { partition: 3 })).toBe(false);
    expect(matchesSelection(one, { reason: 'late' })).toBe(false);
    expect(matchesSelection(one, { fromMs: JAN6, toMs: JAN6 + 1 })).toBe(true);
    expect(matchesSelection(one, { toMs: JAN6 })).toBe(false);
  });

  it('is narrowed by any filter, and says which in the words of the flags', () => {
    expect(isNarrowed({})).toBe(false);
    expect(isNarrowed({ reason: 'late' })).toBe(true);
    expect(describeSelection({})).toBe('the whole store');
    expect(describeSelection({ topic: 'lms.auth', partition: 2, offset: 5 })).toBe(
      '--topic lms.auth --partition 2 --offset 5',
    );
  });
});

describe('a --fixed file', () => {
  it('reads back what `list` prints, bytes and tombstones included, skipping blank lines', () => {
    const letters = [
      letter(1, { key: Buffer.from([0xff]), value: Buffer.from([0x7b, 0xfe]) }),
      letter(2, { value: null }),
      { ...letter(3), source: 'http' } as DeadLetter,
    ];
    const text = `${letters.map(deadLetterLine).join('\n\n')}\n`;

    expect(parseFixedDeadLetters(text, 'fixed.ndjson')).toEqual(letters);
  });

  it.each([
    ['not JSON', '{"topic":', /fixed\.ndjson line 2: not JSON/],
    ['an array', '[1]', /line 2: not a JSON object/],
    [
      'an unknown reason',
      { reason: 'bogus' },
      /line 2: "reason" must be one of invalid, future, late, duplicate/,
    ],
    ['a negative offset', { offset: -1 }, /line 2: "offset" must be a whole number >= 0 or null, got -1/],
    ['no message', { message: undefined }, /line 2: "message" must be a string/],
    ['an empty topic', { topic: '' }, /line 2: "topic" must be a topic name or null/],
    ['a timestamp as text', { timestamp: '2025-01-06' }, /line 2: "timestamp" must be epoch ms/],
    [
      'an unknown encoding',
      { value_encoding: 'hex' },
      /line 2: "value_encoding" must be "base64", got "hex"/,
    ],
    ['broken base64', { value: 'e/4', value_encoding: 'base64' }, /line 2: "value" is not canonical base64/],
    ['a number as value', { value: 7 }, /line 2: "value" must be a string or null/],
  ])('stops at the first bad line, naming it: %s', (_case, bad, expected) => {
    const second =
      typeof bad === 'string' ? bad : JSON.stringify({ ...JSON.parse(deadLetterLine(letter(2))), ...bad });
    const text = `${deadLetterLine(letter(1))}\n${second}\n${deadLetterLine(letter(3))}\n`;

    expect(() => parseFixedDeadLetters(text, 'fixed.ndjson')).toThrow(expected);
  });
});

describe('showing a dead letter', () => {
  it('gives where, why and when, and pretty-prints a JSON value', () => {
    expect(formatDeadLetter(letter(5))).toEqual([
      'lms.auth partition 2 offset 5',
      '  reason: invalid',
      '  message: bad at 5',
      '  timestamp: 2025-01-06T08:00:00.000Z (1736150400000)',
      '  key: "u-1" (3 bytes UTF-8)',
      '  value (27 bytes UTF-8, JSON):',
      '    {',
      '      "event_id": "e5",',
      '      "n": [',
      '        1,',
      '        2',
      '      ]',
      '    }',
    ]);
  });

  it('indents JSON without parsing it: big numbers, escapes, duplicate keys and empty containers stay as sent', () => {
    const sent = '{"id":12345678901234567890,"s":"a\\"{,}","id":1e2,"o":{ },"a":[]}';

    expect(indentJson(sent)).toBe(
      '{\n  "id": 12345678901234567890,\n  "s": "a\\"{,}",\n  "id": 1e2,\n  "o": {},\n  "a": []\n}',
    );
  });

  it('says where bytes stop being UTF-8 and gives their base64, and names a tombstone and a null key', () => {
    const bytes = formatDeadLetter(letter(1, { key: null, value: Buffer.from([0x7b, 0xfe]) }));
    const tombstone = formatDeadLetter(letter(2, { value: null }));

    expect(bytes).toContain('  key: null (no key)');
    expect(bytes).toContain('  value: 2 bytes, is not UTF-8 (byte 0xfe at byte offset 1); base64:');
    expect(bytes).toContain('    e/4=');
    expect(tombstone).toContain('  value: null (a tombstone: the record had no value)');
    expect(formatDeadLetter(letter(3, { value: 'not json {' }))).toContain('    not json {');
    expect(formatDeadLetter(letter(4, { value: '' }))).toContain('  value: "" (0 bytes UTF-8)');
  });

  it('marks a letter of the HTTP edge as never in Kafka and lists its extra fields', () => {
    const edge = { ...letter(0), partition: null, offset: null, request_id: 'r-1' } as unknown as DeadLetter;

    const lines = formatDeadLetter(edge);

    expect(lines[0]).toBe('lms.auth (never in Kafka: rejected at the HTTP edge)');
    expect(lines).toContain('  request_id: "r-1"');
  });
});
