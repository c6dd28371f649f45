/**
 * `speed-layer`: one CLI, one subcommand per task. Each subcommand lives in its own `*-command.ts` file
 * and is registered here; a bad flag prints the subcommand's usage and exits non-zero, a failure at run
 * time prints one line (cli-errors.ts) and exits 1.
 *
 * A command file declares flags only; its action loads what it runs with a dynamic import(), so `--help`
 * loads commander alone, and `run`, `query` and `ingest` never load a devDependency (the generator's
 * faker, testcontainers, tsx) nor DuckDB: test/unit/cli-lazy-imports.test.ts walks the imports.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { failureLine } from './cli-errors.ts';
import { oracleCommand } from './oracle-command.ts';
import { generateCommand } from './generate-command.ts';
import { runCommand } from './run-command.ts';
import { stackCommand } from './stack-command.ts';
import { replayCommand } from './replay-command.ts';
import { ingestCommand } from './ingest-command.ts';
import { queryCommand } from './query-command.ts';
import { deadLettersCommand } from './dead-letters-command.ts';
import { startCommand } from './start-command.ts';
import { loadCommand } from './load-command.ts';
import { batchCommand } from './batch-command.ts';
import { reconcileCommand } from './reconcile-command.ts';
import { serveCommand } from './serve-command.ts';
import { alertsCommand } from './alerts-command.ts';

// The AWS SDK's multi-line notice that its releases after January 2027 need Node 22 (README): off unless
// the variable is set otherwise. Children (`run --processes`, `stack up --detach`) inherit it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('speed-layer')
  .description('Speed layer of the LMS Lambda architecture: Kafka events → 25 real-time views on S3')
  .version(version, '-V, --version', 'print the version')
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
  deadLettersCommand(),
  startCommand(),
  loadCommand(),
  batchCommand(),
  reconcileCommand(),
  serveCommand(),
  alertsCommand(),
])
  program.addCommand(command);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Usage errors never get here (commander prints them with the usage and exits): this is a failure at
  // run time, reported in one line.
  const commandName = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
  process.stderr.write(`${failureLine(commandName, error)}\n`);
  process.exit(1);
}
