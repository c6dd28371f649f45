/**
 * `speed-layer dead-letters replay`: re-produces selected dead letters (or an operator's fixed copies,
 * `--fixed FILE`) to their topic with their original key and value bytes and replay headers
 * (src/processor/query/dead-letter-replay.ts, docs/dead-letters.md). Refuses the whole store unless
 * `--all`; `--dry-run` prints what it would produce and connects to nothing.
 */
import { Command } from 'commander';
import {
  addSelectionFlags,
  failDeadLetters,
  selectionOf,
  type SelectionFlags,
} from './dead-letters-flags.ts';
import { openStorage, settingsOfFlags } from './storage-flags.ts';

interface ReplayFlags extends SelectionFlags {
  all?: boolean;
  fixed?: string;
  toTopic?: string;
  includeTombstones?: boolean;
  dryRun?: boolean;
}

const NOTE = `
A replayed record is a new Kafka record (new offset, the broker's timestamp): the jobs judge it again.
Still invalid, it is dead-lettered again; an event time behind the watermark makes it late; an event_id
already accepted on its partition (within the watermark) makes it a duplicate. Replaying twice produces
twice. Headers: speed-layer-replay-of = <topic>/<partition>/<offset>, speed-layer-replay-reason =
<reason>, speed-layer-replay-fixed = true for --fixed records. Kafka: KAFKA_BROKERS (KAFKA_SSL,
KAFKA_SASL_*), else a running \`speed-layer stack up\`. More: docs/dead-letters.md`;

export function deadLettersReplayCommand(): Command {
  const command = new Command('replay').description(
    'Re-produce the selected dead letters to their topic (original key and value bytes, replay headers); ' +
      'a summary of what was produced per topic and skipped',
  );
  addSelectionFlags(command)
    .option('--all', 'replay every stored dead letter (needed when no filter or --fixed is given)')
    .option(
      '--fixed <file>',
      'replay the records of this file instead of the store: dead-letter lines as `list` prints them, ' +
        'edited (the filters still apply)',
    )
    .option('--to-topic <topic>', "produce every record to this topic instead of the record's own")
    .option('--topic-prefix <prefix>', "put before each record's own topic, as the jobs do [$TOPIC_PREFIX]")
    .option('--include-tombstones', 'replay tombstones as null values (default: skip and count them)')
    .option('--dry-run', 'print what would be produced (counts, then the records); produce nothing')
    .option('--kafka-brokers <list>', 'Kafka bootstrap servers (host:port,...) [$KAFKA_BROKERS]')
    .addHelpText('after', NOTE)
    .action(async (flags: ReplayFlags & Record<string, unknown>) => {
      const selection = selectionOf(flags, command);
      const { isNarrowed, matchesSelection, selectDeadLetters } =
        await import('../processor/query/dead-letter-selection.ts');
      if (!isNarrowed(selection) && flags.all !== true && flags.fixed === undefined)
        command.error(
          'dead-letters replay: say what to replay (--topic, --partition, --offset, --reason, --from, --to, ' +
            'or --fixed FILE), or pass --all to replay every dead letter in the store',
        );
      try {
        const settings = settingsOfFlags(flags, ['kafkaBrokers', 'topicPrefix']);
        const { replayDeadLetters, replaySummary, dryRunLine } =
          await import('../processor/query/dead-letter-replay.ts');
        let letters;
        if (flags.fixed === undefined) {
          const { store } = await openStorage(flags, settings);
          letters = await selectDeadLetters(store, settings, selection);
        } else {
          const { readFixedDeadLetters } = await import('../processor/query/fixed-dead-letters.ts');
          letters = (await readFixedDeadLetters(flags.fixed)).filter((l) => matchesSelection(l, selection));
        }
        const dryRun = flags.dryRun === true;
        const plan = await replayDeadLetters(letters, {
          dryRun,
          topicPrefix: settings.topicPrefix,
          includeTombstones: flags.includeTombstones === true,
          fixed: flags.fixed !== undefined,
          ...(flags.toTopic === undefined ? {} : { toTopic: flags.toTopic }),
          kafka: {
            kafkaBrokers: settings.kafkaBrokers,
            kafkaSsl: settings.kafkaSsl,
            kafkaSaslMechanism: settings.kafkaSaslMechanism,
            kafkaSaslUsername: settings.kafkaSaslUsername,
            kafkaSaslPassword: settings.kafkaSaslPassword,
          },
        });
        const summary = `${replaySummary(plan, !dryRun).join('\n')}\n`;
        if (dryRun) {
          process.stderr.write(summary);
          process.stdout.write(plan.items.map((item) => `${dryRunLine(item)}\n`).join(''));
        } else process.stdout.write(summary);
      } catch (error) {
        failDeadLetters(command, error);
      }
    });
  return command;
}
