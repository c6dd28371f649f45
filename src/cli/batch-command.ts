/**
 * `speed-layer batch`: the batch layer (docs/batch.md). Recomputes views for whole UTC days from the raw
 * archive with the oracle's SQL and writes `batch_views/<view>/date=D/` (a Delta table per view) and
 * `batch_views/_manifest.json`, then reconciles each computed day against the speed layer
 * (`reconciliation/date=D.json`; with `--every --http-port`, gauges on /metrics). Reads and writes the
 * store like `query` (--root or the storage settings).
 */
import { Command, InvalidArgumentError } from 'commander';
import { SETTING_DEFS, flagOf, type SettingName } from '../processor/runtime/settings.ts';
import { failRun } from './cli-errors.ts';
import { parseDurationMs } from './durations.ts';
import { batchLayoutOf } from '../batch/batch-layout.ts';
import { addStorageFlags, openStorage, settingsOfFlags, type StorageFlags } from './storage-flags.ts';

/** Settings the batch reads beyond the storage ones. */
const BATCH_SETTINGS: readonly SettingName[] = [
  'rawPrefix',
  'batchPrefix',
  'reconciliationPrefix',
  'sessionGap',
];

interface BatchFlags extends StorageFlags {
  date?: string;
  from?: string;
  to?: string;
  closed?: boolean;
  views?: string[];
  every?: number;
  margin?: number;
  /** False with --no-reconcile. */
  reconcile: boolean;
  httpPort?: number;
  memoryLimit?: string;
}

/** The batch layer's prefixes from the settings. */
function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new InvalidArgumentError(`"${text}" is not a port (0 = any free port)`);
  return port;
}

/** A DuckDB memory_limit such as `512MB` or `2GB`, checked here rather than when the first day opens. */
function parseMemoryLimit(text: string): string {
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(text))
    throw new InvalidArgumentError(`"${text}" is not a size such as 512MB or 2GB`);
  return text;
}

export function parseList(text: string): string[] {
  const items = text.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) throw new InvalidArgumentError(`"${text}" has an empty name`);
  return items;
}

export function batchCommand(): Command {
  const command = new Command('batch')
    .description('Recompute views for whole UTC days from the raw archive (the batch layer, docs/batch.md)')
    .option('--date <YYYY-MM-DD>', 'one day')
    .option('--from <YYYY-MM-DD>', 'first day of a range (with --to, both included)')
    .option('--to <YYYY-MM-DD>', 'last day of a range')
    .option('--closed', 'every closed day with archived events not computed yet, or whose archive changed')
    .option('--views <v1,v2>', 'only these views (default: all 25)', parseList)
    .option(
      '--every <duration>',
      'with --closed: run again this long after each round, until SIGINT/SIGTERM',
      parseDurationMs,
    )
    .option(
      '--margin <duration>',
      'L: events of [D − L, D + 1 day + L) make day D (default 1h)',
      parseDurationMs,
    )
    .option(
      '--memory-limit <size>',
      "DuckDB's memory_limit for a day's database (one job at a time), the rest spills to TMPDIR (default 1GB)",
      parseMemoryLimit,
    )
    .option('--no-reconcile', 'do not reconcile the computed days against the speed layer')
    .option(
      '--http-port <port>',
      'with --every: serve the reconciliation gauges on http://127.0.0.1:<port>/metrics (0: any free port)',
      parsePort,
    );
  addStorageFlags(command);
  for (const name of BATCH_SETTINGS)
    command.option(
      `${flagOf(name)} <value>`,
      `${SETTING_DEFS[name].description} [$${SETTING_DEFS[name].env}]`,
    );
  return command.showHelpAfterError().action(async (flags: BatchFlags & Record<string, unknown>) => {
    const ranged = flags.from !== undefined || flags.to !== undefined;
    const modes = [flags.date !== undefined, ranged, flags.closed === true].filter(Boolean).length;
    if (modes !== 1) command.error('batch: give exactly one of --date D, --from D1 --to D2, --closed');
    if (ranged && (flags.from === undefined || flags.to === undefined))
      command.error('batch: --from and --to go together');
    if (flags.every !== undefined && flags.closed !== true)
      command.error('batch: --every goes with --closed');
    if (flags.httpPort !== undefined && flags.every === undefined)
      command.error('batch: --http-port goes with --every');
    try {
      const settings = settingsOfFlags(flags, BATCH_SETTINGS);
      const { store } = await openStorage(flags, settings);
      const { daysFrom, dayStartMs } = await import('../batch/batch-days.ts');
      const { runBatch } = await import('../batch/run-batch.ts');
      const request = {
        store,
        layout: batchLayoutOf(settings),
        sessionGapMs: settings.sessionGap,
        reconcile: flags.reconcile,
        progress: (line: string) => process.stderr.write(`batch: ${line}\n`),
        ...(flags.views && { views: flags.views }),
        ...(flags.margin !== undefined && { marginMs: flags.margin }),
        ...(flags.memoryLimit !== undefined && { memoryLimit: flags.memoryLimit }),
      };
      if (flags.every !== undefined) {
        const { runBatchEvery } = await import('../batch/batch-loop.ts');
        const stop = new AbortController();
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
        const endpoint = flags.httpPort === undefined ? undefined : await serveMetrics(flags.httpPort, stop);
        try {
          await runBatchEvery(
            { ...request, ...(endpoint && { onReconciled: endpoint.record }) },
            flags.every,
            stop.signal,
            request.progress,
          );
        } finally {
          await endpoint?.close();
        }
        return;
      }
      if (flags.date !== undefined) dayStartMs(flags.date);
      const days =
        flags.date !== undefined ? [flags.date] : ranged ? daysFrom(flags.from!, flags.to!) : undefined;
      await runBatch({
        ...request,
        selection: days === undefined ? { kind: 'closed' } : { kind: 'days', days },
      });
    } catch (error) {
      failRun(command, error);
    }
  });
}

/** The gauges of the newest reconciled day on /metrics; the URL goes to stderr (port 0 picks one). */
async function serveMetrics(port: number, stop: AbortController) {
  const { createReconcileMetrics } = await import('../batch/reconcile-metrics.ts');
  const { serveBatchMetrics } = await import('./batch-metrics-server.ts');
  const metrics = createReconcileMetrics();
  const server = await serveBatchMetrics(port, metrics.registry, () => !stop.signal.aborted);
  process.stderr.write(`batch: metrics on ${server.url}/metrics\n`);
  return { record: metrics.record, close: server.close };
}
