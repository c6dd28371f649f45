import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { JOBS, TOPICS } from '../../src/events/topics.ts';
import { S3ObjectStore } from '../../src/storage/s3-object-store.ts';
import { ViewQuery } from '../../src/processor/query/index.ts';
import { resolveSettings } from '../../src/processor/runtime/settings.ts';
import { createS3Client } from '../../src/stack/s3-client.ts';
import { startLive } from '../../src/start/start-live.ts';
import { removeTestData } from './run-fixture.ts';
import './stack-context.ts';

const endpoints = inject('stack');

/** Sockets and timers alive now, by kind (what a clean stop must give back). */
function handles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

describe('speed-layer start (programmatic, against the test stack)', () => {
  it('feeds all five jobs live, shows rates and complete rows, publishes rows query finds, and stops cleanly', async () => {
    const id = randomBytes(4).toString('hex');
    const logFile = join(tmpdir(), `start-test-${id}.log`);
    onTestFinished(async () => {
      await rm(logFile, { force: true });
      await removeTestData(endpoints, {
        topics: TOPICS.map((topic) => `s${id}.${topic}`),
        groupIds: JOBS.map((job) => `start-test-${id}-${job}`),
        prefix: `start/${id}/`,
      });
    });
    const layout = {
      viewsPrefix: `start/${id}/realtime_views/`,
      partialsPrefix: `start/${id}/realtime_partials/`,
      checkpointsPrefix: `start/${id}/checkpoints/speed/`,
      deadLetterPrefix: `start/${id}/dead_letter/`,
      rawPrefix: `start/${id}/raw/`,
      batchPrefix: `start/${id}/batch_views/`,
      reconciliationPrefix: `start/${id}/reconciliation/`,
    };
    // D = 5 s and simulated time starting 90 s back at ~3x speed: 1-minute windows complete within ~30 s.
    const settings = resolveSettings({
      env: {},
      flags: {
        ...layout,
        topicPrefix: `s${id}.`,
        groupIdPrefix: `start-test-${id}-`,
        watermarkDelay: '5s',
        idleTimeout: '5s',
        httpPort: '0',
        logFormat: 'json',
      },
    });
    let text = '';
    const output = { write: (chunk: string) => (text += chunk), isTTY: false };
    const before = handles();

    const live = await startLive({
      settings,
      endpoints,
      generator: { ratePerS: 300, users: 3000, backfillMs: 90_000, seed: 11 },
      durationMs: 45_000,
      logFile,
      output,
      plainEveryMs: 10_000,
    });
    const peakRecordsPerS = new Map<string, number>();
    let done = false;
    const outcome = live.finished.finally(() => (done = true));
    let catalogStatus: number | undefined;
    while (!done) {
      for (const job of live.lastSummary()?.jobs ?? [])
        peakRecordsPerS.set(job.job, Math.max(peakRecordsPerS.get(job.job) ?? 0, job.recordsPerS));
      const serveUrl = live.lastSummary()?.serveUrl;
      if (catalogStatus === undefined && serveUrl !== undefined && !done)
        catalogStatus = (await fetch(`${serveUrl}/v1/views`)).status;
      await sleep(500);
    }
    const { reason, summary } = await outcome;

    expect(reason).toBe('duration');
    expect(summary?.generator?.records).toBeGreaterThan(0); // how many in 45 s depends on the load
    for (const job of JOBS) {
      expect(peakRecordsPerS.get(job), job).toBeGreaterThan(0);
      expect(summary?.jobs.find((line) => line.job === job)?.accepted, job).toBeGreaterThan(0);
    }
    expect(text).toMatch(
      /auth_realtime_active_users_1min {2}\(latest complete rows; W = \d\d:\d\d:\d\d\)\n {2}window \(UTC\) +active_users +events\n {2}\d\d:\d\d–\d\d:\d\d +[1-9]\d* +[1-9]/,
    );
    expect(text).toContain('stopped (duration)');
    // Beside the jobs: the archive filling, the batch layer waiting for a closed day, the query API.
    expect(text).toMatch(/raw archive: [1-9][\d,]* files, \d+\.\d MB/);
    expect(text).toContain('batch: no closed day yet');
    expect(text).toMatch(/serve: http:\/\/127\.0\.0\.1:\d+\/v1\/views/);
    expect(catalogStatus).toBe(200);

    const store = new S3ObjectStore(createS3Client(endpoints.s3), endpoints.s3.bucket);
    const query = new ViewQuery(store, { layout });
    const { rows } = await query.query({ view: 'auth_realtime_active_users_1min' });
    expect(rows.length).toBeGreaterThan(0);
    expect(Number(rows[0]!.active_users)).toBeGreaterThan(0);
    expect(await readFile(logFile, 'utf8')).toContain('jobs started');

    await sleep(200); // sockets closed by the stop finish their teardown on the next turns
    const after = handles();
    for (const kind of ['TCPSocketWrap', 'Timeout'])
      expect(after.get(kind) ?? 0, kind).toBeLessThanOrEqual(before.get(kind) ?? 0);
  });
});
