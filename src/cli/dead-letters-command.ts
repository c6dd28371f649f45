/**
 * `speed-layer dead-letters`: the rejected records the jobs kept (docs/storage.md "Dead letters"), one
 * JSON line each with topic, partition, offset, record timestamp, reason, message, key and the raw value
 * (base64 with `key_encoding`/`value_encoding` where not UTF-8, null for a tombstone),
 * filtered by topic, reason and record time; a count per reason on stderr. Reads the store like `query`
 * (`--root file://…` or the S3 settings), so nobody needs an S3 client to look at them.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { REJECT_REASONS, type RejectReason } from '../events/record.ts';
import { TOPICS } from '../events/topics.ts';
import { failRun } from './cli-errors.ts';
import { addStorageFlags, openStorage, type StorageFlags } from './storage-flags.ts';

interface DeadLetterFlags extends StorageFlags {
  topic?: string;
  reason?: RejectReason;
  from?: number;
  to?: number;
}

function parseInstant(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`"${text}" is not an ISO-8601 time`);
  return ms;
}

export function deadLettersCommand(): Command {
  const command = new Command('dead-letters')
    .description(
      'Print the rejected records (dead letters) as JSON lines, with reason, message and raw value',
    )
    .addOption(new Option('--topic <topic>', 'only this topic').choices(TOPICS))
    .addOption(new Option('--reason <reason>', 'only this reason').choices(REJECT_REASONS))
    .option('--from <iso>', 'record timestamps from this time (inclusive)', parseInstant)
    .option('--to <iso>', 'record timestamps before this time (exclusive)', parseInstant);
  return addStorageFlags(command)
    .showHelpAfterError()
    .action(async (flags: DeadLetterFlags & Record<string, unknown>) => {
      if (flags.from !== undefined && flags.to !== undefined && flags.from >= flags.to)
        command.error('dead-letters: --from must be before --to');
      try {
        const { settings, store } = await openStorage(flags);
        const { queryDeadLetters, deadLetterLine } = await import('../processor/query/index.ts');
        const request = {
          ...(flags.topic === undefined ? {} : { topic: flags.topic }),
          ...(flags.reason === undefined ? {} : { reason: flags.reason }),
          ...(flags.from === undefined ? {} : { fromMs: flags.from }),
          ...(flags.to === undefined ? {} : { toMs: flags.to }),
        };
        const letters = await queryDeadLetters(store, settings, request);
        // The stored line format: bytes that are not UTF-8 as base64 with key_encoding/value_encoding.
        const lines = letters.map(deadLetterLine);
        process.stdout.write(lines.length === 0 ? '' : `${lines.join('\n')}\n`);
        const byReason = REJECT_REASONS.map(
          (reason) => `${reason} ${letters.filter((letter) => letter.reason === reason).length}`,
        );
        process.stderr.write(`dead-letters: ${letters.length} records (${byReason.join(', ')})\n`);
      } catch (error) {
        failRun(command, error);
      }
    });
}
