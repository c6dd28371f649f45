/** `speed-layer oracle`: the batch oracle over a record file, writing the view dump of docs/contract/record-files-and-dumps.md. */
import { Command } from 'commander';
import { readRecordFile } from '../events/record-file.ts';
import { writeViewDump } from '../events/view-dump.ts';
import { DEFAULT_ORACLE_OPTIONS } from '../oracle/oracle-options.ts';
import { parseDurationMs } from './durations.ts';

interface OracleFlags {
  in: string;
  out: string;
  watermarkDelay: number;
  sessionGap: number;
  eventsParquet?: string;
}

export function oracleCommand(): Command {
  return new Command('oracle')
    .description(
      'Compute the 25 views and the rejected records from a record file (batch oracle, DuckDB SQL)',
    )
    .requiredOption('--in <file>', 'record file (NDJSON, one Kafka record per line)')
    .requiredOption('--out <dir>', 'directory for <view>.jsonl and _rejected.jsonl')
    .option(
      '--watermark-delay <duration>',
      'watermark delay D',
      parseDurationMs,
      DEFAULT_ORACLE_OPTIONS.watermarkDelayMs,
    )
    .option('--session-gap <duration>', 'session gap', parseDurationMs, DEFAULT_ORACLE_OPTIONS.sessionGapMs)
    .option(
      '--events-parquet <file>',
      'also write the accepted events as Parquet (to rerun the SQL elsewhere)',
    )
    .showHelpAfterError()
    .action(async (flags: OracleFlags) => {
      const { runOracle } = await import('../oracle/run-oracle.ts');
      const startedMs = performance.now();
      const result = await runOracle(readRecordFile(flags.in), {
        watermarkDelayMs: flags.watermarkDelay,
        sessionGapMs: flags.sessionGap,
        ...(flags.eventsParquet === undefined ? {} : { eventsParquetPath: flags.eventsParquet }),
      });
      await writeViewDump(flags.out, result.rowsByView, result.rejected);
      const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
      process.stderr.write(
        `oracle: ${result.acceptedCount} accepted, ${result.rejected.length} rejected, ` +
          `25 views written to ${flags.out} in ${seconds} s\n`,
      );
    });
}
