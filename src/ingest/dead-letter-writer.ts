/**
 * Invalid HTTP events, kept so nothing is lost: NDJSON objects under `dead_letter/ingest/date=YYYY-MM-DD/`
 * (date of receipt, UTC). Each line carries the fields of the processor's dead letters (dead-letter.ts:
 * topic, partition, offset, timestamp, reason, message, key, value — so `readDeadLetters(store,
 * 'dead_letter/')` reads both) plus where it came from. Values that are not UTF-8 keep their bytes, as
 * the processor's do. partition and offset are null: the event never
 * reached Kafka. The processor's writer does not fit here: its files are named by job commit and
 * published with checkpoints; ingest has neither. Writes are a group commit (one object per flush, one
 * flush in flight), and a request is answered only after its rejections are stored.
 */
import { randomBytes } from 'node:crypto';
import { putRecordBytes } from '../events/record-bytes-json.ts';
import type { Topic } from '../events/topics.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { DEFAULT_LAYOUT, utcDate } from '../storage/layout.ts';
import { GroupCommitter } from './group-commit.ts';

export interface IngestRejection {
  /** The event's topic when its event_type named one. */
  topic: Topic | null;
  partition: null;
  offset: null;
  /** When the request arrived, epoch ms. */
  timestamp: number;
  reason: 'invalid';
  message: string;
  /** user_id when the event had a string one. */
  key: string | null;
  /**
   * The event's text as sent (the whole body when the body itself was unusable); its bytes when they
   * are not UTF-8, stored as base64 beside `value_encoding: "base64"` (src/events/record-bytes-json.ts).
   */
  value: string | Uint8Array;
  source: 'http';
  request_id: string;
  /** NDJSON line (1-based) or array index (0-based); both null for a whole-body rejection. */
  line: number | null;
  index: number | null;
  path: string;
  rule: string;
}

export interface RejectionSink {
  /** Resolves once the rejections are durably stored. */
  write(rejections: readonly IngestRejection[]): Promise<void>;
  close(): Promise<void>;
}

export const INGEST_DEAD_LETTER_PREFIX = `${DEFAULT_LAYOUT.deadLetterPrefix}ingest/`;
/** Caps one object at about this many characters of lines. */
const MAX_OBJECT_CHARS = 8 * 1024 * 1024;

export class IngestDeadLetterWriter implements RejectionSink {
  /** Object names are `<writerId>-<seq>.ndjson`: unique per process, ordered within it. */
  private readonly writerId = `${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
  private sequence = 0;
  private readonly committer: GroupCommitter<string>;

  constructor(
    private readonly store: ObjectStore,
    private readonly prefix = INGEST_DEAD_LETTER_PREFIX,
    onObject?: (key: string, lines: number) => void,
  ) {
    this.committer = new GroupCommitter<string>({
      flush: async (lines) => {
        const byDate = new Map<string, string[]>();
        for (const line of lines) {
          const date = line.slice(0, 10); // lines are queued as `<date><json>`
          let group = byDate.get(date);
          if (group === undefined) byDate.set(date, (group = []));
          group.push(line.slice(10));
        }
        await Promise.all(
          [...byDate].map(async ([date, group]) => {
            const key = `${this.prefix}date=${date}/${this.writerId}-${String(this.sequence++).padStart(9, '0')}.ndjson`;
            await this.store.put(key, Buffer.from(`${group.join('\n')}\n`, 'utf8'));
            onObject?.(key, group.length);
          }),
        );
      },
      weigh: (line) => line.length,
      maxBatchWeight: MAX_OBJECT_CHARS,
    });
  }

  write(rejections: readonly IngestRejection[]): Promise<void> {
    return this.committer.add(
      rejections.map((rejection) => {
        const line: Record<string, unknown> = { ...rejection };
        putRecordBytes(line, 'value', rejection.value);
        return utcDate(rejection.timestamp) + JSON.stringify(line);
      }),
    );
  }

  close(): Promise<void> {
    return this.committer.drain();
  }
}
