/**
 * One request body → the records to produce, the rejections to dead-letter and the per-event errors to
 * report. Pure (no I/O), so the HTTP layer stays a thin shell and tests can call it directly.
 */
import { isUtf8 } from 'node:buffer';
import type { ValidationError } from '../events/validate.ts';
import { classifyEvent } from './classify-event.ts';
import type { IngestRejection } from './dead-letter-writer.ts';
import type { ProduceRecord } from './event-sink.ts';
import { parseBody, type BodyFormat } from './parse-body.ts';

/** One invalid event in the response: `line` (NDJSON, 1-based) or `index` (JSON array, 0-based). */
export type ItemError = ({ line: number } | { index: number }) & ValidationError;

export interface RequestContext {
  requestId: string;
  receivedMs: number;
}

export type IngestBatch =
  | { ok: true; records: ProduceRecord[]; rejections: IngestRejection[]; errors: ItemError[] }
  | { ok: false; rejection: IngestRejection | null; rule: string; message: string };

/** What was sent, for a dead letter: its text, or its bytes when they are not UTF-8. */
function sent(bytes: Buffer): string | Buffer {
  return isUtf8(bytes) ? bytes.toString('utf8') : bytes;
}

function rejection(
  context: RequestContext,
  fields: Pick<IngestRejection, 'topic' | 'key' | 'value' | 'line' | 'index'> & ValidationError,
): IngestRejection {
  return {
    topic: fields.topic,
    partition: null,
    offset: null,
    timestamp: context.receivedMs,
    reason: 'invalid',
    message: fields.message,
    key: fields.key,
    value: fields.value,
    source: 'http',
    request_id: context.requestId,
    line: fields.line,
    index: fields.index,
    path: fields.path,
    rule: fields.rule,
  };
}

export function ingestBatch(format: BodyFormat, body: Buffer, context: RequestContext): IngestBatch {
  const parsed = parseBody(format, body);
  if (!parsed.ok) {
    // An empty body holds nothing to keep; anything else is stored whole so no event is lost.
    const stored =
      parsed.rule === 'empty'
        ? null
        : rejection(context, {
            topic: null,
            key: null,
            value: sent(body),
            line: null,
            index: null,
            path: '(body)',
            rule: parsed.rule,
            message: `(body): ${parsed.message}`,
          });
    return { ok: false, rejection: stored, rule: parsed.rule, message: parsed.message };
  }
  const records: ProduceRecord[] = [];
  const rejections: IngestRejection[] = [];
  const errors: ItemError[] = [];
  for (const item of parsed.items) {
    const verdict = classifyEvent(item);
    if (verdict.ok) {
      records.push({ topic: verdict.topic, key: verdict.key, value: item.bytes });
      continue;
    }
    const line = format === 'ndjson' ? item.position : null;
    const index = format === 'json' ? item.position : null;
    const { path, rule, message } = verdict.error;
    errors.push(line === null ? { index: index!, path, rule, message } : { line, path, rule, message });
    rejections.push(
      rejection(context, {
        topic: verdict.topic,
        key: verdict.key,
        value: sent(item.bytes),
        line,
        index,
        path,
        rule,
        message,
      }),
    );
  }
  return { ok: true, records, rejections, errors };
}
