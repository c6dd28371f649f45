/**
 * By hand: read Delta tables with Spark and print DeltaDump's output (docs/delta.md).
 *   npx tsx test/spark/read-delta.ts --table <dir> [--version <n>] [--where <condition>] ...
 * Prepares Spark + Delta in the project's cache on first use.
 */
import { spawn } from 'node:child_process';
import { javaBinary } from '../../src/stack/jvm-process.ts';
import { sparkHarness } from './spark-runtime.ts';

const harness = await sparkHarness((message) => process.stderr.write(`[spark] ${message}\n`));
const args = [...harness.jvmOptions, '-cp', harness.classpath, harness.mainClass, ...process.argv.slice(2)];
const java = spawn(javaBinary(), args, { stdio: 'inherit' });
java.on('exit', (code) => {
  void harness.keepArchive().finally(() => process.exit(code ?? 1));
});
