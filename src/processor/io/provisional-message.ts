/**
 * The provisional-rows topic (docs/serving.md "Provisional rows"): every running instance of a job
 * publishes, at most every provisional interval, one message per source partition whose open cells
 * changed, holding each changed cell's partial rows. A reader keeps the newest rows of every
 * (partition, cell) and merges partitions as final partial rows merge, so several instances on several
 * machines feed one consistent provisional view, and a rebalance only changes who writes a partition's
 * messages. JSON, one format version; bigints (none today) would be written as numbers.
 */
import type { ViewRow } from '../../events/view-dump.ts';
import type { PartitionChanges } from '../engine/open-cells.ts';

/** The topic of all jobs' provisional rows: one partition (order per source partition), short retention. */
export function provisionalTopic(topicPrefix: string): string {
  return `${topicPrefix}speed-layer.provisional`;
}

export const PROVISIONAL_FORMAT = 1;

export interface ProvisionalMessage {
  v: typeof PROVISIONAL_FORMAT;
  job: string;
  /** The source topic (contract name) and partition the cells are of. */
  topic: string;
  partition: number;
  /** wm(p) when the cells were taken. */
  watermark: number;
  /** When the cells were taken (the publisher's clock, ms). */
  as_of: number;
  /** The newest record timestamp (the broker's clock) the values include; null when unknown. */
  newest_record?: number | null;
  /** View → cell → partial rows ([]: the cell is gone). */
  views: Record<string, Record<string, ViewRow[]>>;
}

/** The message of one partition's changes, taken at `asOfMs`. */
export function provisionalMessage(
  job: string,
  change: PartitionChanges,
  asOfMs: number,
): ProvisionalMessage {
  const views: Record<string, Record<string, ViewRow[]>> = {};
  for (const [view, cells] of change.views) views[view] = Object.fromEntries(cells);
  return { ...headerOf(job, change, asOfMs), views };
}

function headerOf(job: string, change: PartitionChanges, asOfMs: number): Omit<ProvisionalMessage, 'views'> {
  const { topic, partition, watermarkMs, newestRecordMs } = change;
  const newest = Number.isFinite(newestRecordMs) ? newestRecordMs : null;
  return {
    v: PROVISIONAL_FORMAT,
    job,
    topic,
    partition,
    watermark: watermarkMs,
    as_of: asOfMs,
    newest_record: newest,
  };
}

/**
 * The partition's changes taken at `asOfMs`, encoded as messages of about `maxBytes` at most (see
 * encodeProvisionalParts), straight from the engine's maps: the publisher pays this in the job's loop
 * every round, and building the message object first (thousands of keys per view) cost as much as the
 * JSON itself.
 */
export function encodeChanges(
  job: string,
  change: PartitionChanges,
  asOfMs: number,
  maxBytes: number,
): Buffer[] {
  return encodeInParts(headerOf(job, change, asOfMs), change.views, maxBytes);
}

/**
 * The message as parts of about `maxBytes` at most: cells are split over several messages (a reader
 * replaces cell by cell, so any split reads the same); a cell bigger than that alone goes alone. A
 * message that fits is one part, the bytes of encodeProvisional.
 */
export function encodeProvisionalParts(message: ProvisionalMessage, maxBytes: number): Buffer[] {
  const { views, ...header } = message;
  const entries = Object.entries(views).map(([view, cells]) => [view, Object.entries(cells)] as const);
  return encodeInParts(header, entries, maxBytes);
}

type Cells = Iterable<readonly [string, ViewRow[]]>;

/** One pass: each cell's rows are turned into JSON once, and parts are cut between cells. */
function encodeInParts(
  header: Omit<ProvisionalMessage, 'views'>,
  views: Iterable<readonly [string, Cells]>,
  maxBytes: number,
): Buffer[] {
  const head = `${toJson(header).slice(0, -1)},"views":{`;
  const bodies: string[] = [];
  let segments: string[] = []; // the current part's finished `"view":{...}`
  let bytes = 0;
  for (const [view, cells] of views) {
    const name = JSON.stringify(view);
    let entries: string[] = [];
    for (const [cell, rows] of cells) {
      const entry = `${JSON.stringify(cell)}:${toJson(rows)}`;
      if (bytes > 0 && bytes + entry.length > maxBytes) {
        if (entries.length > 0) segments.push(`${name}:{${entries.join(',')}}`);
        bodies.push(segments.join(','));
        segments = [];
        entries = [];
        bytes = 0;
      }
      entries.push(entry);
      bytes += entry.length;
    }
    segments.push(`${name}:{${entries.join(',')}}`);
  }
  if (segments.length > 0 || bodies.length === 0) bodies.push(segments.join(','));
  return bodies.map((body) => Buffer.from(`${head}${body}}}`));
}

const bigintAsNumber = (_key: string, value: unknown): unknown =>
  typeof value === 'bigint' ? Number(value) : value;

export function encodeProvisional(message: ProvisionalMessage): Buffer {
  return Buffer.from(toJson(message));
}

/**
 * JSON with bigints as numbers. Without a replacer first: JSON.stringify is faster without one (10–35 %
 * on the publisher's messages here), which the publisher pays in the job's loop every round; a bigint
 * makes it throw, and then the replacer runs.
 */
function toJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return JSON.stringify(value, bigintAsNumber);
  }
}

/** The message, or an Error naming what is wrong (a reader skips what it cannot read, never crashes). */
export function decodeProvisional(bytes: Buffer): ProvisionalMessage | Error {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return new Error(`provisional message is not JSON: ${(error as Error).message}`);
  }
  const message = parsed as Partial<ProvisionalMessage> | null;
  if (message?.v !== PROVISIONAL_FORMAT) return new Error(`provisional message format ${String(message?.v)}`);
  if (
    typeof message.job !== 'string' ||
    typeof message.topic !== 'string' ||
    typeof message.partition !== 'number' ||
    typeof message.as_of !== 'number' ||
    typeof message.views !== 'object' ||
    message.views === null
  )
    return new Error('provisional message lacks job, topic, partition, as_of or views');
  return message as ProvisionalMessage;
}
