/**
 * Reads Delta tables with a real Spark + Delta reader: one JVM (DeltaDump.java, local[1]) for all the
 * tables of a call, its rows back as JSON objects. Long columns come back as strings (exact beyond 2^53),
 * timestamps as UTC ISO-8601 strings, nulls as null.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProgressSink } from '../../src/stack/jvm-artifacts.ts';
import { runJvm } from '../../src/stack/jvm-process.ts';
import { sparkHarness } from './spark-runtime.ts';

export interface TableRead {
  /** Directory of the table (the folder holding `_delta_log/`). */
  path: string;
  /** Time travel: read this version (versionAsOf) instead of the latest. */
  version?: number;
  /** A Spark SQL condition; Delta skips files by their stats before Parquet is read. */
  where?: string;
}

export interface TableDump {
  path: string;
  /**
   * What Delta made of the read: the version, the checkpoint the latest snapshot started from (-1: none;
   * null for time travel), and how many data files the scan reads (after partition pruning and skipping).
   */
  scan: { version: number; checkpointVersion: number | null; files: number };
  /** Spark's column names and types, e.g. `{ events: 'long', window_start: 'timestamp' }`. */
  schema: Record<string, string>;
  rows: Record<string, unknown>[];
}

export interface ReadOptions {
  progress?: ProgressSink;
  /** For the JVM run; default 10 minutes. */
  timeoutMs?: number;
}

const stderrProgress: ProgressSink = (message) => process.stderr.write(`[spark] ${message}\n`);

function argsOf(reads: readonly TableRead[]): string[] {
  return reads.flatMap((read) => [
    '--table',
    read.path,
    ...(read.version === undefined ? [] : ['--version', String(read.version)]),
    ...(read.where === undefined ? [] : ['--where', read.where]),
  ]);
}

/** DeltaDump's output → one dump per table; throws on an `@@error` line or a missing table. */
export function parseDump(output: string, reads: readonly TableRead[]): TableDump[] {
  const dumps: TableDump[] = [];
  let current: TableDump | undefined;
  for (const line of output.split('\n')) {
    const [marker, ...rest] = line.split(' ');
    if (marker === '@@table') {
      current = {
        path: rest.slice(1).join(' '),
        scan: { version: -1, checkpointVersion: null, files: 0 },
        schema: {},
        rows: [],
      };
    } else if (marker === '@@scan' && current) {
      current.scan = JSON.parse(rest.join(' ')) as TableDump['scan'];
    } else if (marker === '@@schema' && current) {
      const schema = JSON.parse(rest.join(' ')) as { fields: { name: string; type: string }[] };
      current.schema = Object.fromEntries(schema.fields.map(({ name, type }) => [name, type]));
    } else if (marker === '@@end' && current) {
      dumps.push(current);
      current = undefined;
    } else if (marker === '@@error') {
      throw new Error(`Spark could not read ${current?.path ?? '?'}: ${rest.slice(1).join(' ')}`);
    } else if (line.startsWith('{') && current) {
      current.rows.push(JSON.parse(line) as Record<string, unknown>);
    }
  }
  if (dumps.length !== reads.length)
    throw new Error(`Spark dumped ${dumps.length} of ${reads.length} tables:\n${output.slice(-2000)}`);
  return dumps;
}

export async function readDeltaTables(
  reads: readonly TableRead[],
  options: ReadOptions = {},
): Promise<TableDump[]> {
  const progress = options.progress ?? stderrProgress;
  const harness = await sparkHarness(progress);
  // Spark's scratch (block manager, warehouse) and our output live in a folder removed afterwards.
  const workDir = await mkdtemp(join(tmpdir(), 'spark-delta-'));
  const outputFile = join(workDir, 'dump.jsonl');
  const logFile = join(workDir, 'spark.log');
  try {
    await runJvm(
      {
        name: 'spark delta reader',
        classpath: harness.classpath,
        mainClass: harness.mainClass,
        args: ['--out', outputFile, ...argsOf(reads)],
        jvmOptions: [...harness.jvmOptions, `-Djava.io.tmpdir=${workDir}`],
        logFile,
        cwd: workDir,
      },
      options.timeoutMs ?? 600_000,
    ).catch(async (error: unknown) => {
      const output = await readFile(outputFile, 'utf8').catch(() => '');
      const tableErrors = output.split('\n').filter((line) => line.startsWith('@@error'));
      const log = await readFile(logFile, 'utf8').catch(() => '');
      const reason = error instanceof Error ? error.message : String(error);
      const message = `${reason} ${tableErrors.join('; ')}\nSpark log tail:\n${log.slice(-4000)}`;
      throw new Error(message, { cause: error });
    });
    await harness.keepArchive();
    const timings = (await readFile(logFile, 'utf8'))
      .split('\n')
      .filter((line) => line.startsWith('DeltaDump:'));
    progress(timings.map((line) => line.slice('DeltaDump: '.length)).join(', '));
    return parseDump(await readFile(outputFile, 'utf8'), reads);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
