import { execFile, spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { viewSpec } from '../../src/events/view-catalog.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import type { ParquetRow } from '../../src/storage/parquet-columns.ts';
import { writeParquet } from '../../src/storage/parquet-writer.ts';
import type { ReconciliationReport } from '../../src/batch/reconcile-report.ts';
import { runBatch } from '../../src/batch/run-batch.ts';
import { viewColumns } from '../../src/batch/write-view-day.ts';
import { writeCompleteness, writeRawEvents } from './batch-fixture.ts';
import { tempDir } from './temp-dir.ts';

const VIEW = 'auth_realtime_login_rate';
const DAY = '2025-01-07';
const at = (iso: string) => Date.parse(iso);

/** `speed-layer …`: exit code and output (tsx start-up takes seconds on a busy machine). */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'node',
      ['bin/speed-layer.js', ...args],
      { env: { PATH: process.env.PATH }, timeout: 110_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

/** A store with one login on DAY, archived, closed, and (unless `batch: false`) computed by the batch. */
async function storeWithOneLogin({ batch = true } = {}): Promise<{ store: FileObjectStore; root: string }> {
  const dir = tempDir('reconcile-cli-');
  const store = new FileObjectStore(dir);
  const login = {
    event_id: 'e1',
    event_type: 'login_success',
    event_time: `${DAY}T10:00:30.000Z`,
    user_id: 'u1',
  };
  await writeRawEvents(store, 'lms.auth', DAY, [{ ...login, ip: '10.0.0.1' }]);
  await writeCompleteness(store, [VIEW], '2025-01-09T00:00:00.000Z');
  if (batch)
    await runBatch({ store, selection: { kind: 'days', days: [DAY] }, views: [VIEW], reconcile: false });
  return { store, root: pathToFileURL(dir).href };
}

/** Speed rows as a plain Parquet file (a views directory without Delta log is read that way too). */
async function writeSpeedRows(store: FileObjectStore, rows: ParquetRow[]): Promise<void> {
  const body = writeParquet(viewColumns(viewSpec(VIEW)), rows);
  await store.put(`realtime_views/${VIEW}/date=${DAY}/auth-1.parquet`, body);
}

function loginRate(minute: string, attempts: number, failures: number): ParquetRow {
  return {
    window_start: at(`${DAY}T${minute}:00.000Z`),
    window_end: at(`${DAY}T${minute}:00.000Z`) + 60_000,
    login_attempts: attempts,
    login_successes: attempts - failures,
    login_failures: failures,
    success_rate: (attempts - failures) / attempts,
  };
}

describe('speed-layer reconcile (the command)', () => {
  it('writes the report, prints a line per view and exits 0', async () => {
    const { store, root } = await storeWithOneLogin();
    // The batch has 10:00 (1 attempt, 1 success); the speed layer says 2 attempts there, and has 11:00.
    await writeSpeedRows(store, [loginRate('10:00', 2, 1), loginRate('11:00', 1, 0)]);

    const run = await cli(['reconcile', '--date', DAY, '--views', VIEW, '--root', root]);

    expect(run.stderr).toBe(
      `reconcile: day ${DAY} ${VIEW}: 0 equal, 1 differing, 0 only in batch, 1 only in speed (0 late events of auth)\n` +
        `reconcile: day ${DAY}: 0 late events; report ${root}/reconciliation/date=${DAY}.json\n`,
    );
    expect(run.code).toBe(0);
    const report = JSON.parse(
      (await store.get(`reconciliation/date=${DAY}.json`))!.toString('utf8'),
    ) as ReconciliationReport;
    const key = { window_start: `${DAY}T10:00:00.000Z`, window_end: `${DAY}T10:01:00.000Z` };
    expect(report).toMatchObject({
      format: 1,
      day: DAY,
      double_tolerance: 1e-9,
      late_events: { total: 0, by_topic: { 'lms.auth': 0 }, by_job: { auth: 0 } },
    });
    expect(report.views[VIEW]).toEqual({
      job: 'auth',
      batch_rows: 1,
      speed_rows: 2,
      equal: 0,
      differing: 1,
      only_batch: 0,
      only_speed: 1,
      late_events: 0,
      batch_table_version: 0,
      speed_table_version: -1,
      largest_differences: [
        { key, column: 'login_attempts', batch: 1, speed: 2 },
        { key, column: 'login_failures', batch: 0, speed: 1 },
        { key, column: 'success_rate', batch: 1, speed: 0.5 },
      ],
      only_batch_keys: [],
      only_speed_keys: [{ window_start: `${DAY}T11:00:00.000Z`, window_end: `${DAY}T11:01:00.000Z` }],
    });
  });

  it('fails with one line for a day without speed rows', async () => {
    const { root } = await storeWithOneLogin();

    const run = await cli(['reconcile', '--date', DAY, '--views', VIEW, '--root', root]);

    expect(run.stderr).toBe(
      `speed-layer reconcile: ${root}/realtime_views/ has no row of day ${DAY} in ${VIEW}: nothing to reconcile\n`,
    );
    expect(run.code).toBe(1);
  });

  it('fails with one line for a day the batch has not computed, and for an unknown view', async () => {
    const { root } = await storeWithOneLogin({ batch: false });

    const [notComputed, unknown] = await Promise.all([
      cli(['reconcile', '--date', DAY, '--views', VIEW, '--root', root]),
      cli(['reconcile', '--date', DAY, '--views', `${VIEW},nope`, '--root', root]),
    ]);

    expect(notComputed.stderr).toBe(
      `speed-layer reconcile: day ${DAY} has no batch rows yet for the views asked for ` +
        `(speed-layer batch --date ${DAY} computes it once the day is closed)\n`,
    );
    expect(notComputed.code).toBe(1);
    expect(unknown.stderr).toMatch(/^speed-layer reconcile: unknown view nope; choose from [^\n]+\n$/);
    expect(unknown.code).toBe(1);
  });

  it('serves the gauges of the reconciled day on /metrics in batch --every, until SIGTERM', async () => {
    const { store, root } = await storeWithOneLogin({ batch: false });
    await writeSpeedRows(store, [loginRate('10:00', 1, 0)]);
    const child = spawn(
      'node',
      [
        'bin/speed-layer.js',
        'batch',
        '--closed',
        '--every',
        '1h',
        '--http-port',
        '0',
        '--views',
        VIEW,
        '--root',
        root,
      ],
      { env: { PATH: process.env.PATH }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const seen = (pattern: RegExp) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(stderr);
          if (match !== null) resolve(match);
        };
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString('utf8');
          check();
        });
        void exited.then(() => reject(new Error(`the batch ended before ${pattern}:\n${stderr}`)));
        check();
      });
    try {
      const [, url] = await seen(/batch: metrics on (http:\/\/127\.0\.0\.1:\d+)\/metrics\n/);
      await seen(new RegExp(`batch: day ${DAY}: 0 late events; report`));

      const metrics = await (await fetch(`${url}/metrics`)).text();

      expect(metrics).toContain(`speed_layer_speed_batch_rows_equal{view="${VIEW}"} 1\n`);
      expect(metrics).toContain(`speed_layer_speed_batch_rows_differing{view="${VIEW}"} 0\n`);
      expect(metrics).toContain(`speed_layer_speed_batch_rows_only_batch{view="${VIEW}"} 0\n`);
      expect(metrics).toContain(`speed_layer_speed_batch_rows_only_speed{view="${VIEW}"} 0\n`);
      expect(metrics).toContain('speed_layer_speed_batch_late_events{job="auth"} 0\n');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
