/** `speed-layer stack up | down | status`: a local Kafka + S3 to work against (see src/stack/stack-lifecycle.ts). */
import { Command } from 'commander';
import { defaultStateFile } from '../stack/stack-state.ts';
import { KAFKA_RUNTIME, S3PROXY_RUNTIME } from '../stack/jvm-artifacts.ts';

/** Loaded when a subcommand runs: it brings the Kafka and S3 clients. */
const lifecycle = () => import('../stack/stack-lifecycle.ts');

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const STACK_HELP = `
Modes (per service; an external one always wins):
  KAFKA_BROKERS / S3_ENDPOINT set   use that Kafka / S3 (S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY,
                                    S3_BUCKET, S3_REGION; no keys = AWS default credential chain)
  STACK_MODE=local (default)        Kafka ${KAFKA_RUNTIME.version} and S3Proxy ${S3PROXY_RUNTIME.version} JVMs, jars from Maven Central cached in
                                    $SPEED_LAYER_CACHE or ~/.cache/lms-speed-layer
  STACK_MODE=containers | auto      testcontainers (Kafka, MinIO) when a Docker engine answers, else local

\`up\` stays in the foreground until Ctrl-C (or \`stack down\` from another shell) and then stops the JVMs;
\`up --detach\` runs that same supervisor in the background and returns once the stack answers.
Either way it records PIDs and settings in the state file ($STACK_STATE_FILE or
<cache>/stack-state.json), which \`down\`, \`status\` and the generator/runner read, and prints the
settings to export:  eval "$(npx speed-layer stack up --detach)"
`;

export function stackCommand(): Command {
  const stack = new Command('stack')
    .description('run a local Kafka + S3 (up | down | status)')
    .addHelpText('after', STACK_HELP)
    .showHelpAfterError();
  const stateOption = ['--state-file <path>', 'state file of `stack up`', defaultStateFile()] as const;

  stack
    .command('up')
    .description('start Kafka and S3 and print `export ...` lines (foreground until Ctrl-C, or --detach)')
    .option('--detach', 'run in the background and return once healthy', false)
    .option(...stateOption)
    .action(async (options: { detach: boolean; stateFile: string }) => {
      const { stackUpDetached, stackUpForeground } = await lifecycle();
      if (options.detach) await stackUpDetached(options.stateFile, print);
      else await stackUpForeground(options.stateFile, print);
    });
  stack
    .command('down')
    .description('stop the stack started by `stack up` (no java process of ours is left)')
    .option(...stateOption)
    .action(async (options: { stateFile: string }) => {
      const { stackDown } = await lifecycle();
      await stackDown(options.stateFile, print);
    });
  stack
    .command('status')
    .description('show whether the stack runs and answers (exit code 1 when not)')
    .option(...stateOption)
    .action(async (options: { stateFile: string }) => {
      const { stackStatus } = await lifecycle();
      if (!(await stackStatus(options.stateFile, print))) process.exitCode = 1;
    });
  return stack;
}
