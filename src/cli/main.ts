/**
 * `speed-layer`: one CLI, one subcommand per task. Each subcommand lives in its own `*-command.ts` file
 * and is registered here; a bad flag prints the subcommand's usage and exits non-zero.
 */
import { Command } from 'commander';
import { oracleCommand } from './oracle-command.ts';
import { generateCommand } from './generate-command.ts';
import { runCommand } from './run-command.ts';
import { stackCommand } from './stack-command.ts';
import { replayCommand } from './replay-command.ts';
import { ingestCommand } from './ingest-command.ts';
import { queryCommand } from './query-command.ts';
import { startCommand } from './start-command.ts';
import { loadCommand } from './load-command.ts';

const program = new Command('speed-layer')
  .description('Speed layer of the LMS Lambda architecture: Kafka events → 25 real-time views on S3')
  .showHelpAfterError()
  .configureHelp({ showGlobalOptions: true });

for (const command of [
  oracleCommand(),
  generateCommand(),
  runCommand(),
  stackCommand(),
  ingestCommand(),
  replayCommand(),
  queryCommand(),
  startCommand(),
  loadCommand(),
])
  program.addCommand(command);

await program.parseAsync(process.argv);
