/**
 * A store for the serving tests, made the way production makes it (batch-fixture.ts): the five jobs
 * in-process over generated records across the midnight of 2025-01-06/07 into a file:// store, then
 * the batch layer for the closed day 2025-01-06 only, so the boundary is 2025-01-07T00:00Z: windows of
 * the 6th come from batch, later ones from speed. And a server over it on a free port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { SourceRecord } from '../../src/events/record.ts';
import { generateRecords } from '../../src/generator/generate-records.ts';
import { runBatch } from '../../src/batch/run-batch.ts';
import { DEFAULT_BATCH_LAYOUT } from '../../src/batch/batch-layout.ts';
import { createLogger } from '../../src/processor/runtime/logger.ts';
import { DEFAULT_LAYOUT } from '../../src/storage/layout.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { startServe, type RunningServe } from '../../src/serving/run-serve.ts';
import { archiveByJobs } from './batch-fixture.ts';

export const BATCH_DAY = '2025-01-06';
export const BOUNDARY_MS = Date.UTC(2025, 0, 7);

export interface ServedStore {
  store: FileObjectStore;
  records: SourceRecord[];
  remove(): void;
}

/** About 30 simulated minutes around the midnight, with late records (the batch counts them, speed not). */
export async function servedStore(): Promise<ServedStore> {
  const dir = mkdtempSync(join(tmpdir(), 'serve-'));
  const store = new FileObjectStore(dir);
  const records = [
    ...generateRecords({
      seed: 13,
      events: 3000,
      users: 40,
      startTimeMs: Date.UTC(2025, 0, 6, 23, 45),
      disorderMs: 20_000,
      faults: { late: 0.03, duplicate: 0, invalid: 0, future: 0 },
    }),
  ];
  await archiveByJobs(store, records);
  const request = { store, selection: { kind: 'days' as const, days: [BATCH_DAY] }, reconcile: false };
  await runBatch(request);
  return { store, records, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestServer extends RunningServe {
  /** Everything the server logged, as text. */
  logs(): string;
}

export async function startTestServer(
  store: FileObjectStore,
  options: { token?: string; host?: string; allowUnauthenticated?: boolean } = {},
): Promise<TestServer> {
  let logged = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged += chunk.toString('utf8');
      done();
    },
  });
  const running = await startServe({
    store,
    layout: DEFAULT_LAYOUT,
    batchLayout: DEFAULT_BATCH_LAYOUT,
    host: options.host ?? '127.0.0.1',
    port: 0,
    ...(options.token === undefined ? {} : { token: options.token }),
    allowUnauthenticated: options.allowUnauthenticated ?? false,
    logger: createLogger({ format: 'json', level: 'trace', destination }),
  });
  return { ...running, logs: () => logged };
}
