/**
 * `speed-layer dead-letters list|show|replay`: the rejected records the jobs kept (docs/dead-letters.md,
 * docs/storage.md "Dead letters"). `list` (also plain `dead-letters`, as before the subcommands) prints
 * one stored JSON line each — raw key and value, base64 with `key_encoding`/`value_encoding` where not
 * UTF-8, null for a tombstone — and a count per reason on stderr; `show` prints them for people;
 * `replay` (dead-letters-replay-command.ts) puts them back on Kafka. Reads the store like `query`.
 */
import { Command } from 'commander';
import { REJECT_REASONS } from '../events/record.ts';
import {
  addSelectionFlags,
  failDeadLetters,
  selectionOf,
  type SelectionFlags,
} from './dead-letters-flags.ts';
import { deadLettersReplayCommand } from './dead-letters-replay-command.ts';
import { openStorage } from './storage-flags.ts';

type Flags = SelectionFlags & Record<string, unknown>;

function listCommand(): Command {
  const command = new Command('list').description(
    'Print the rejected records as JSON lines (the stored form), with reason, message and raw value; ' +
      'a count per reason on stderr',
  );
  return addSelectionFlags(command).action(async (flags: Flags) => {
    const selection = selectionOf(flags, command);
    try {
      const { settings, store } = await openStorage(flags);
      const { selectDeadLetters } = await import('../processor/query/dead-letter-selection.ts');
      const { deadLetterLine } = await import('../processor/query/index.ts');
      const letters = await selectDeadLetters(store, settings, selection);
      const lines = letters.map(deadLetterLine);
      process.stdout.write(lines.length === 0 ? '' : `${lines.join('\n')}\n`);
      const byReason = REJECT_REASONS.map(
        (reason) => `${reason} ${letters.filter((letter) => letter.reason === reason).length}`,
      );
      process.stderr.write(`dead-letters: ${letters.length} records (${byReason.join(', ')})\n`);
    } catch (error) {
      failDeadLetters(command, error);
    }
  });
}

function showCommand(): Command {
  const command = new Command('show').description(
    'Print the selected dead letters for people (e.g. --topic T --partition P --offset O): reason, ' +
      'message, time, key and value decoded, JSON pretty-printed; says when bytes are not UTF-8 or the ' +
      'value is a tombstone. Nothing selected: an error',
  );
  return addSelectionFlags(command).action(async (flags: Flags) => {
    const selection = selectionOf(flags, command);
    try {
      const { settings, store } = await openStorage(flags);
      const { selectDeadLetters, describeSelection } =
        await import('../processor/query/dead-letter-selection.ts');
      const { formatDeadLetter } = await import('../processor/query/dead-letter-show.ts');
      const letters = await selectDeadLetters(store, settings, selection);
      if (letters.length === 0) throw new Error(`no dead letter matches ${describeSelection(selection)}`);
      process.stdout.write(`${letters.map((letter) => formatDeadLetter(letter).join('\n')).join('\n\n')}\n`);
    } catch (error) {
      failDeadLetters(command, error);
    }
  });
}

export function deadLettersCommand(): Command {
  return new Command('dead-letters')
    .description(
      'The rejected records (dead letters): list (the default), show, replay to Kafka; ' +
        '`dead-letters <subcommand> --help` for each',
    )
    .showHelpAfterError()
    .addCommand(listCommand(), { isDefault: true })
    .addCommand(showCommand())
    .addCommand(deadLettersReplayCommand());
}
