/**
 * `dead-letters replay`: puts selected dead letters back on Kafka (docs/dead-letters.md) with their
 * original key and value bytes and headers naming where each came from. A replayed record is a new
 * Kafka record: the jobs judge it again (still invalid → dead-lettered again; behind the watermark →
 * late; an event_id accepted on its partition within the watermark → duplicate). Not a no-op: replaying
 * twice produces twice.
 */
import type { RecordBytes } from '../../events/record.ts';
import type { EndpointValues } from '../../stack/stack-env.ts';
import type { ProducedRecord, RecordProducer } from '../../stack/record-producer.ts';
import { deadLetterLine, type DeadLetter } from '../io/dead-letter.ts';

export const REPLAY_OF_HEADER = 'speed-layer-replay-of';
export const REPLAY_REASON_HEADER = 'speed-layer-replay-reason';
/** Set on records of a `--fixed` file: what arrives is not what was rejected. */
export const REPLAY_FIXED_HEADER = 'speed-layer-replay-fixed';

/** Why a selected letter is not produced: a tombstone without --include-tombstones; no topic (HTTP edge). */
export const SKIP_CAUSES = ['tombstone', 'no topic'] as const;
export type SkipCause = (typeof SKIP_CAUSES)[number];

export interface ReplayOptions {
  /** Every record goes to this topic instead of its own. */
  toTopic?: string;
  /** Put before a record's own (contract) topic name, as the jobs' TOPIC_PREFIX does. Default ''. */
  topicPrefix?: string;
  /** Produce tombstones (null values); default: skip and count them. */
  includeTombstones?: boolean;
  /** The letters are an operator's edits (`--fixed`), marked by a header. */
  fixed?: boolean;
}

export interface ReplayItem {
  letter: DeadLetter;
  record: ProducedRecord;
}

export interface ReplayPlan {
  items: ReplayItem[];
  skipped: Record<SkipCause, number>;
}

/** The bytes as received: text back to its UTF-8 bytes, which is what the wire held (it decoded strictly). */
export function recordBuffer(data: RecordBytes): Buffer | null {
  if (data === null) return null;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** `lms.auth/3/17`; `-` for the position of a letter that never was in Kafka. */
function origin(letter: DeadLetter): string {
  return `${letter.topic}/${letter.partition ?? '-'}/${letter.offset ?? '-'}`;
}

export function planReplay(letters: readonly DeadLetter[], options: ReplayOptions = {}): ReplayPlan {
  const skipped: Record<SkipCause, number> = { tombstone: 0, 'no topic': 0 };
  const items: ReplayItem[] = [];
  for (const letter of letters) {
    const ownTopic = letter.topic as string | null;
    if (letter.value === null && options.includeTombstones !== true) skipped.tombstone++;
    else if (ownTopic === null && options.toTopic === undefined) skipped['no topic']++;
    else {
      const headers: Record<string, string> = {
        [REPLAY_OF_HEADER]: origin(letter),
        [REPLAY_REASON_HEADER]: letter.reason,
      };
      if (options.fixed === true) headers[REPLAY_FIXED_HEADER] = 'true';
      const topic = options.toTopic ?? `${options.topicPrefix ?? ''}${ownTopic}`;
      const record = { topic, key: recordBuffer(letter.key), value: recordBuffer(letter.value), headers };
      items.push({ letter, record });
    }
  }
  return { items, skipped };
}

/** A dry run's line: the target topic and headers, then the letter as stored (so it can go to --fixed). */
export function dryRunLine({ letter, record }: ReplayItem): string {
  const stored = JSON.parse(deadLetterLine(letter)) as Record<string, unknown>;
  return JSON.stringify({ to_topic: record.topic, headers: record.headers, ...stored });
}

/** `lms.auth → t1.lms.auth: 3 (invalid 2, late 1)`, one line per (source, target) topic pair. */
function topicLines(plan: ReplayPlan): string[] {
  const byTopic = new Map<string, Map<string, number>>();
  for (const { letter, record } of plan.items) {
    const pair = `${String(letter.topic)} → ${record.topic}`;
    let reasons = byTopic.get(pair);
    if (reasons === undefined) byTopic.set(pair, (reasons = new Map()));
    reasons.set(letter.reason, (reasons.get(letter.reason) ?? 0) + 1);
  }
  return [...byTopic].map(([pair, reasons]) => {
    const total = [...reasons.values()].reduce((sum, count) => sum + count, 0);
    const detail = [...reasons].map(([reason, count]) => `${reason} ${count}`).join(', ');
    return `  ${pair}: ${total} (${detail})`;
  });
}

/** The summary both a replay and a dry run print; `produced` says which happened. */
export function replaySummary(plan: ReplayPlan, produced: boolean): string[] {
  const count = plan.items.length;
  const skipped = SKIP_CAUSES.reduce((sum, cause) => sum + plan.skipped[cause], 0);
  const causes = SKIP_CAUSES.map((cause) => `${cause} ${plan.skipped[cause]}`).join(', ');
  return [
    produced
      ? `dead-letters replay: produced ${count} records`
      : `dead-letters replay --dry-run: would produce ${count} records; nothing was produced`,
    ...topicLines(plan),
    `  skipped ${skipped} (${causes})`,
  ];
}

/** One sendBatch stays well under the broker's 1 MiB request default. */
const MAX_SEND_RECORDS = 500;
const MAX_SEND_BYTES = 256 * 1024;

function sizeOf({ key, value }: ProducedRecord): number {
  return (key?.length ?? 0) + (value?.length ?? 0) + 64;
}

/** Sends the plan in order, chunk after chunk; a failure says how many records the broker already has. */
export async function producePlan(plan: ReplayPlan, producer: RecordProducer): Promise<void> {
  const records = plan.items.map((item) => item.record);
  let start = 0;
  while (start < records.length) {
    let end = start + 1;
    let bytes = sizeOf(records[start]!);
    while (
      end < records.length &&
      end - start < MAX_SEND_RECORDS &&
      bytes + sizeOf(records[end]!) <= MAX_SEND_BYTES
    )
      bytes += sizeOf(records[end++]!);
    try {
      await producer.send(records.slice(start, end));
    } catch (error) {
      throw new Error(
        `Kafka failed after ${start} of ${records.length} records were produced: ${(error as Error).message}`,
        { cause: error },
      );
    }
    start = end;
  }
}

export type ConnectProducer = (kafka: EndpointValues, topics: readonly string[]) => Promise<RecordProducer>;

async function connectKafka(kafka: EndpointValues, topics: readonly string[]): Promise<RecordProducer> {
  const { kafkaEndpointOf, openRecordProducer } = await import('../../stack/record-producer.ts');
  return openRecordProducer(kafkaEndpointOf(kafka), topics);
}

/**
 * Replays the letters (already selected) unless `dryRun`; a dry run never connects. Returns the plan
 * for the summary. `connect` is the Kafka producer (tests pass a fake).
 */
export async function replayDeadLetters(
  letters: readonly DeadLetter[],
  request: ReplayOptions & { dryRun: boolean; kafka: EndpointValues },
  connect: ConnectProducer = connectKafka,
): Promise<ReplayPlan> {
  const plan = planReplay(letters, request);
  if (request.dryRun || plan.items.length === 0) return plan;
  const topics = [...new Set(plan.items.map((item) => item.record.topic))];
  const producer = await connect(request.kafka, topics);
  try {
    await producePlan(plan, producer);
  } catch (error) {
    await producer.close().catch(() => undefined); // the send's failure is the one to report
    throw error;
  }
  await producer.close();
  return plan;
}
