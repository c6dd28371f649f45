/** `speed-layer replay`: the processor's engine fed from a record file (docs/contract/record-files-and-dumps.md), writing the view dump. */
import { Command } from 'commander';
import { readRecordFile } from '../events/record-file.ts';
import { writeViewDump } from '../events/view-dump.ts';
import { SETTING_DEFS } from '../processor/runtime/settings.ts';
import { parseDurationMs, parsePositiveInt } from './durations.ts';

interface ReplayFlags {
  in: string;
  out: string;
  batchSize: number;
  watermarkDelay: number;
  sessionGap: number;
}

export function replayCommand(): Command {
  // The defaults are `run`'s: the same D and session gap, a batch as large as run's largest micro-batch.
  return new Command('replay')
    .description('Run the streaming engine over a record file in batches and write the merged views')
    .requiredOption('--in <file>', 'record file (NDJSON, one Kafka record per line)')
    .requiredOption('--out <dir>', 'directory for <view>.jsonl and _rejected.jsonl')
    .option(
      '--batch-size <n>',
      'records per batch, in file order',
      parsePositiveInt,
      SETTING_DEFS.maxOffsetsPerTrigger.default,
    )
    .option(
      '--watermark-delay <duration>',
      'watermark delay D',
      parseDurationMs,
      SETTING_DEFS.watermarkDelay.default,
    )
    .option('--session-gap <duration>', 'session gap', parseDurationMs, SETTING_DEFS.sessionGap.default)
    .showHelpAfterError()
    .action(async (flags: ReplayFlags) => {
      const { replay } = await import('../processor/replay.ts');
      const startedMs = performance.now();
      const result = await replay(readRecordFile(flags.in), {
        batchSize: flags.batchSize,
        watermarkDelayMs: flags.watermarkDelay,
        sessionGapMs: flags.sessionGap,
      });
      await writeViewDump(flags.out, result.rowsByView, result.rejected);
      const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
      process.stderr.write(
        `replay: ${result.accepted} accepted, ${result.rejected.length} rejected, ` +
          `25 views written to ${flags.out} in ${seconds} s\n`,
      );
    });
}
