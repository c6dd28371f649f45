/**
 * The selection flags `dead-letters list|show|replay` share (topic, partition, offset, reason, record
 * time) and the store flags, parsed into the DeadLetterSelection of src/processor/query.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { REJECT_REASONS, type RejectReason } from '../events/record.ts';
import { TOPICS } from '../events/topics.ts';
import type { DeadLetterSelection } from '../processor/query/dead-letter-selection.ts';
import { failureLine } from './cli-errors.ts';
import { addStorageFlags, type StorageFlags } from './storage-flags.ts';

export interface SelectionFlags extends StorageFlags {
  topic?: string;
  partition?: number;
  offset?: number;
  reason?: RejectReason;
  from?: number;
  to?: number;
}

function parseInstant(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`"${text}" is not an ISO-8601 time`);
  return ms;
}

function parseWhole(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < 0)
    throw new InvalidArgumentError(`"${text}" is not a whole number >= 0`);
  return value;
}

/** Adds the selection flags and the store flags (--root, --config, the S3 settings). */
export function addSelectionFlags(command: Command): Command {
  command
    .addOption(new Option('--topic <topic>', 'only this topic').choices(TOPICS))
    .option('--partition <n>', 'only this partition (needs --topic)', parseWhole)
    .option('--offset <n>', 'only this offset (needs --partition)', parseWhole)
    .addOption(new Option('--reason <reason>', 'only this reason').choices(REJECT_REASONS))
    .option('--from <iso>', 'record timestamps from this time (inclusive)', parseInstant)
    .option('--to <iso>', 'record timestamps before this time (exclusive)', parseInstant);
  return addStorageFlags(command).showHelpAfterError();
}

/** The selection the flags give; a contradiction is a usage error of `command` (it exits). */
export function selectionOf(flags: SelectionFlags, command: Command): DeadLetterSelection {
  const name = `dead-letters ${command.name()}`;
  if (flags.from !== undefined && flags.to !== undefined && flags.from >= flags.to)
    command.error(`${name}: --from must be before --to`);
  if (flags.partition !== undefined && flags.topic === undefined)
    command.error(`${name}: --partition needs --topic (partition numbers are per topic)`);
  if (flags.offset !== undefined && flags.partition === undefined)
    command.error(`${name}: --offset needs --partition (offsets are per partition)`);
  const selection: DeadLetterSelection = {};
  if (flags.topic !== undefined) selection.topic = flags.topic;
  if (flags.partition !== undefined) selection.partition = flags.partition;
  if (flags.offset !== undefined) selection.offset = flags.offset;
  if (flags.reason !== undefined) selection.reason = flags.reason;
  if (flags.from !== undefined) selection.fromMs = flags.from;
  if (flags.to !== undefined) selection.toMs = flags.to;
  return selection;
}

/** A failure at run time in one line, `speed-layer dead-letters <sub>: <what>`, exit 1. */
export function failDeadLetters(command: Command, error: unknown): never {
  process.stderr.write(`${failureLine(`dead-letters ${command.name()}`, error)}\n`);
  process.exit(1);
}
