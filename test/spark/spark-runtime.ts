/**
 * The Spark + Delta Lake runtime of the read-back harness, prepared once per machine in the project's
 * cache (`~/.cache/lms-speed-layer`, or `$SPEED_LAYER_CACHE`):
 * - jars: Maven copies the dependencies of spark.pom.xml into a temporary folder that is renamed into
 *   place when complete, as src/stack/jvm-artifacts.ts does for Kafka and S3Proxy;
 * - the harness: javac compiles DeltaDump.java into a jar, in a folder named after the source's hash;
 * - a class-data-sharing archive (AppCDS) of the classes a run loads, written by the first run at exit
 *   and used by the next ones: it halves the JVM's start-up (Spark loads thousands of classes). It is
 *   keyed by the Java build too, since a JVM ignores an archive of another build.
 * Later runs find all three and call neither Maven nor javac.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot, type ProgressSink } from '../../src/stack/jvm-artifacts.ts';
import { javaBinary } from '../../src/stack/jvm-process.ts';

/** Spark 3.5 (the 3.x line most clusters run) and the Delta release built for it. */
export const SPARK_VERSION = '3.5.8';
export const DELTA_VERSION = '3.3.2';

const HERE = fileURLToPath(new URL('./', import.meta.url));
const POM_FILE = join(HERE, 'spark.pom.xml');
const HARNESS_SOURCE = join(HERE, 'DeltaDump.java');
const LOG_CONFIG_FILE = join(HERE, 'log4j2.properties');
const COMPLETE_MARKER = '.complete';

/** Small heap, fast start (C1 only), and the module openings Spark 3.5 needs on Java 17. */
const JVM_OPTIONS: readonly string[] = [
  '-Xmx1g',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  `-Dlog4j2.configurationFile=${LOG_CONFIG_FILE}`,
  '-XX:+IgnoreUnrecognizedVMOptions',
  ...[
    'java.lang',
    'java.lang.invoke',
    'java.lang.reflect',
    'java.io',
    'java.net',
    'java.nio',
    'java.util',
    'java.util.concurrent',
    'java.util.concurrent.atomic',
    'jdk.internal.ref',
    'sun.nio.ch',
    'sun.nio.cs',
    'sun.security.action',
    'sun.util.calendar',
  ].map((pkg) => `--add-opens=java.base/${pkg}=ALL-UNNAMED`),
  '-Djdk.reflect.useDirectMethodHandle=false',
  '-Dio.netty.tryReflectionSetAccessible=true',
];

export interface SparkHarness {
  jvmOptions: string[];
  classpath: string;
  mainClass: string;
  /** Call after a run that exited normally: keeps the class-data archive a first run wrote. */
  keepArchive(): Promise<void>;
}

/** Jars, compiled harness and class-data archive, preparing what is not cached yet. */
export async function sparkHarness(progress: ProgressSink): Promise<SparkHarness> {
  const jarsDir = join(cacheRoot(), 'jars', `spark-${SPARK_VERSION}-delta-${DELTA_VERSION}`);
  await once(jarsDir, (tempDir) => resolveJars(tempDir, progress));
  const source = await readFile(HARNESS_SOURCE);
  const harnessDir = join(cacheRoot(), 'spark-harness', hashOf(source, jarsDir));
  await once(harnessDir, (tempDir) => compile(tempDir, `${jarsDir}/*`, progress));
  const classpath = `${join(harnessDir, 'delta-dump.jar')}:${jarsDir}/*`;

  const archive = join(harnessDir, `classes-${hashOf(await javaVersion())}.jsa`);
  const haveArchive = existsSync(archive);
  const newArchive = `${archive}.tmp-${process.pid}-${Date.now()}`;
  if (!haveArchive)
    progress('this run also writes a class-data archive for faster JVM starts (first run only)');
  return {
    jvmOptions: [
      ...JVM_OPTIONS,
      haveArchive ? `-XX:SharedArchiveFile=${archive}` : `-XX:ArchiveClassesAtExit=${newArchive}`,
    ],
    classpath,
    mainClass: 'DeltaDump',
    keepArchive: async () => {
      if (!haveArchive && existsSync(newArchive)) await rename(newArchive, archive);
    },
  };
}

function hashOf(...parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex').slice(0, 16);
}

/** Fills `dir` with `fill(tempDir)` unless it is complete; a half-filled folder is never used. */
async function once(dir: string, fill: (tempDir: string) => Promise<void>): Promise<void> {
  if (existsSync(join(dir, COMPLETE_MARKER))) return;
  const tempDir = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tempDir, { recursive: true });
  try {
    await fill(tempDir);
    await writeFile(join(tempDir, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
    await rename(tempDir, dir).catch((error: unknown) => {
      // Another process finished first: its complete folder is as good as ours.
      if (!existsSync(join(dir, COMPLETE_MARKER))) throw error;
    });
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

function resolveJars(outputDir: string, progress: ProgressSink): Promise<void> {
  const label = `resolving Spark ${SPARK_VERSION} + Delta ${DELTA_VERSION}`;
  progress(`${label} from Maven Central into ${cacheRoot()}/jars (first use only)`);
  const args = ['-B', '-f', POM_FILE, 'dependency:copy-dependencies', `-DoutputDirectory=${outputDir}`];
  return run('mvn', args, label, progress);
}

async function compile(outputDir: string, classpath: string, progress: ProgressSink): Promise<void> {
  const classesDir = join(outputDir, 'classes');
  await run(
    'javac',
    ['-d', classesDir, '-cp', classpath, HARNESS_SOURCE],
    'compiling DeltaDump.java',
    progress,
  );
  // A jar, not a folder: the class-data archive only takes classes from jars.
  await run(
    'jar',
    ['cf', join(outputDir, 'delta-dump.jar'), '-C', classesDir, '.'],
    'packing DeltaDump',
    progress,
  );
  await rm(classesDir, { recursive: true, force: true });
}

let javaVersionText: Promise<string> | undefined;

/** `java -version` of the JVM the harness runs on (its build decides which archives it accepts). */
function javaVersion(): Promise<string> {
  javaVersionText ??= new Promise((resolve, reject) => {
    const child = spawn(javaBinary(), ['-version'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', () => resolve(text));
  });
  return javaVersionText;
}

/** Runs a tool to completion, a progress line every 10 s; rejects with its last output lines. */
function run(command: string, args: readonly string[], label: string, progress: ProgressSink): Promise<void> {
  const startedMs = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    let downloads = 0;
    let pending = '';
    const onData = (chunk: Buffer): void => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.includes('Downloaded from')) downloads += 1;
        tail.push(line);
      }
      tail.splice(0, Math.max(0, tail.length - 40));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const seconds = (): string => ((Date.now() - startedMs) / 1000).toFixed(0);
    const downloaded = (): string => (downloads > 0 ? `, ${downloads} files downloaded` : '');
    const ticker = setInterval(() => progress(`${label}: ${seconds()}s${downloaded()}`), 10_000);
    child.on('error', (error) => {
      clearInterval(ticker);
      reject(new Error(`${label}: cannot run ${command}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code) => {
      clearInterval(ticker);
      if (code !== 0)
        reject(new Error(`${label}: ${command} exited with ${String(code)}:\n${tail.join('\n')}`));
      else {
        progress(`${label}: done in ${seconds()}s${downloaded()}`);
        resolve();
      }
    });
  });
}
