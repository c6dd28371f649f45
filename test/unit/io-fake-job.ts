/**
 * A tiny deterministic "engine" driving the commit protocol in tests: partition p's record at offset o
 * produces one view row with id `p-o` (or, every 5th offset, a dead letter), rows spread over two UTC dates.
 * Also a store that crashes at the n-th mutating call, and the DuckDB check of what a reader would see.
 */
import { JobCommitter, type CommitResult, type PartitionRef } from '../../src/processor/io/commit.ts';
import { deadLetterOutputFiles, type DeadLetter } from '../../src/processor/io/dead-letter.ts';
import type { CopyResult, ObjectStore, PutIfAbsentResult } from '../../src/storage/object-store.ts';
import type { ParquetColumn, ParquetRow } from '../../src/storage/parquet-columns.ts';
import { viewOutputFiles } from '../../src/processor/io/view-files.ts';
import { duckRows, sqlString } from './io-duckdb.ts';

export const JOB = 'auth';
export const TOPIC = 'lms.auth';
export const VIEW = 'auth_realtime_active_users_1min';
export const RECORDS_PER_PARTITION = 12;
export const BATCH_RECORDS = 4;

const COLUMNS: ParquetColumn[] = [
  { name: 'window_start', type: 'timestamp' },
  { name: 'window_end', type: 'timestamp' },
  { name: 'active_users', type: 'int64' },
  { name: 'events', type: 'int64' },
  { name: '_row_id', type: 'string' },
];
const FIRST_WINDOW_MS = Date.UTC(2024, 0, 31, 23, 58);

export const partitionsOf = (...numbers: number[]): PartitionRef[] =>
  numbers.map((partition) => ({ topic: TOPIC, partition }));

export function isRejected(offset: number): boolean {
  return offset % 5 === 0;
}

/** Every row id the whole input produces for the given partitions. */
export function expectedRowIds(partitions: readonly number[], upToOffset = RECORDS_PER_PARTITION): string[] {
  const ids: string[] = [];
  for (const p of partitions)
    for (let o = 0; o < upToOffset; o += 1) if (!isRejected(o)) ids.push(`${p}-${o}`);
  return ids.sort();
}

/** Recovers `partitions`, then commits one batch of up to BATCH_RECORDS per partition at a time until the end. */
export async function runJob(
  committer: JobCommitter,
  partitions: readonly PartitionRef[],
  maxCommits = Infinity,
): Promise<CommitResult[]> {
  const restored = await committer.recover(partitions);
  const next = new Map(
    partitions.map(({ partition }) => [partition, restored.get(`${TOPIC}:${partition}`)?.nextOffset ?? 0]),
  );
  const results: CommitResult[] = [];
  while (results.length < maxCommits) {
    const rows: ParquetRow[] = [];
    const rejections: DeadLetter[] = [];
    const snapshots = [];
    for (const [partition, from] of next) {
      const to = Math.min(from + BATCH_RECORDS, RECORDS_PER_PARTITION);
      for (let offset = from; offset < to; offset += 1) {
        const windowStart = FIRST_WINDOW_MS + offset * 60_000;
        if (isRejected(offset)) {
          rejections.push({
            topic: TOPIC,
            partition,
            offset,
            timestamp: windowStart,
            reason: 'invalid',
            message: 'm',
            key: null,
            value: `v${offset}`,
          });
        } else {
          rows.push({
            window_start: windowStart,
            window_end: windowStart + 60_000,
            active_users: 1,
            events: 1,
            _row_id: `${partition}-${offset}`,
          });
        }
      }
      next.set(partition, to);
      snapshots.push({ topic: TOPIC, partition, nextOffset: to, state: Buffer.from(JSON.stringify({ to })) });
    }
    if (rows.length === 0 && rejections.length === 0) break;
    results.push(
      await committer.commit(snapshots, [
        ...viewOutputFiles(VIEW, COLUMNS, rows),
        ...deadLetterOutputFiles(rejections),
      ]),
    );
  }
  return results;
}

export class Crash extends Error {}

/** Forwards to `inner` until the `crashAt`-th mutating call (1-based), which dies before or after taking effect. */
export class CrashingStore implements ObjectStore {
  readonly url: string;
  private mutations = 0;
  private dead = false;
  readonly createdCommits: string[] = [];

  /** `crashAt`: the 1-based mutating call to die at, or a test of (call number, operation, key). */
  constructor(
    private readonly inner: ObjectStore,
    private readonly crashAt: number | ((mutation: number, operation: string, key: string) => boolean),
    private readonly mode: 'before' | 'after',
  ) {
    this.url = inner.url;
  }

  get mutationCount(): number {
    return this.mutations;
  }

  private async mutate<T>(operation: string, key: string, call: () => Promise<T>): Promise<T> {
    if (this.dead) throw new Crash('dead');
    this.mutations += 1;
    const crashNow =
      typeof this.crashAt === 'number'
        ? this.mutations === this.crashAt
        : this.crashAt(this.mutations, operation, key);
    if (crashNow) {
      this.dead = true;
      if (this.mode === 'after') await call();
      throw new Crash(`crash at mutation ${this.mutations}, ${operation} ${key} (${this.mode})`);
    }
    return call();
  }

  private read<T>(call: () => Promise<T>): Promise<T> {
    return this.dead ? Promise.reject(new Crash('dead')) : call();
  }

  put(key: string, body: Uint8Array): Promise<void> {
    return this.mutate('put', key, () => this.inner.put(key, body));
  }
  putIfAbsent(key: string, body: Uint8Array): Promise<PutIfAbsentResult> {
    return this.mutate('putIfAbsent', key, async () => {
      const result = await this.inner.putIfAbsent(key, body);
      if (result === 'created') this.createdCommits.push(key);
      return result;
    });
  }
  copy(fromKey: string, toKey: string): Promise<CopyResult> {
    return this.mutate('copy', fromKey, () => this.inner.copy(fromKey, toKey));
  }
  deleteMany(keys: readonly string[]): Promise<void> {
    return keys.length === 0
      ? this.read(async () => undefined)
      : this.mutate('deleteMany', keys[0]!, () => this.inner.deleteMany(keys));
  }
  get(key: string): Promise<Buffer | undefined> {
    return this.read(() => this.inner.get(key));
  }
  exists(key: string): Promise<boolean> {
    return this.read(() => this.inner.exists(key));
  }
  list(prefix: string): Promise<string[]> {
    return this.read(() => this.inner.list(prefix));
  }
}

export interface VisibleRow {
  id: string;
  file: string;
}

/** What DuckDB sees listing `<root>/realtime_views/<VIEW>/**\/*.parquet` directly (no help from the log). */
export async function visibleRows(store: ObjectStore, rootDir: string): Promise<VisibleRow[]> {
  if (!(await store.list(`realtime_views/${VIEW}/`)).some((key) => key.endsWith('.parquet'))) return [];
  const glob = `${rootDir}/realtime_views/${VIEW}/**/*.parquet`;
  const rows = await duckRows(
    `SELECT _row_id AS id, filename AS file FROM read_parquet(${sqlString(glob)}, filename = true)`,
  );
  return rows.map((row) => ({ id: String(row.id), file: String(row.file) }));
}

/** The commit number in a published file name `<job>-<N>.<ext>`. */
export function commitOfFile(file: string): number {
  const match = /-(\d+)\.\w+$/.exec(file);
  if (match === null) throw new Error(`not a published file name: ${file}`);
  return Number(match[1]);
}
