/**
 * Resolves a JVM program (Kafka, S3Proxy) from Maven Central into a cache folder, once: Maven copies
 * the jars of a small pom shipped in ./jvm into a temporary folder that is renamed into place when
 * complete, so a half download is never used. When the folder exists, no Maven call is made.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StackError } from './stack-error.ts';

export interface JvmRuntime {
  name: 'kafka' | 's3proxy';
  version: string;
  /** The pom property that holds the version (the pom's value is only a default). */
  versionProperty: string;
  mainClass: string;
}

export const KAFKA_RUNTIME: JvmRuntime = {
  name: 'kafka',
  version: '4.3.1',
  versionProperty: 'kafka.version',
  mainClass: 'kafka.Kafka',
};
export const KAFKA_STORAGE_TOOL_CLASS = 'kafka.tools.StorageTool';

export const S3PROXY_RUNTIME: JvmRuntime = {
  name: 's3proxy',
  version: '4.1.0',
  versionProperty: 's3proxy.version',
  mainClass: 'org.gaul.s3proxy.Main',
};

export type ProgressSink = (message: string) => void;

const COMPLETE_MARKER = '.complete';
let mavenQueue: Promise<unknown> = Promise.resolve();
const POM_DIR = fileURLToPath(new URL('./jvm/', import.meta.url));

/** `$SPEED_LAYER_CACHE` or ~/.cache/lms-speed-layer (a user without a home, e.g. systemd's dynamic users: the temp dir). */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.SPEED_LAYER_CACHE?.trim();
  if (configured !== undefined && configured !== '') return configured;
  let home: string;
  try {
    home = homedir();
  } catch {
    return join(tmpdir(), 'lms-speed-layer-cache');
  }
  return join(home, '.cache', 'lms-speed-layer');
}

export function runtimeDir(runtime: JvmRuntime, root = cacheRoot()): string {
  return join(root, 'jars', `${runtime.name}-${runtime.version}`);
}

/** The classpath of the runtime, resolving it first when it is not cached. */
export async function resolveClasspath(runtime: JvmRuntime, progress: ProgressSink): Promise<string> {
  const dir = runtimeDir(runtime);
  if (!existsSync(join(dir, COMPLETE_MARKER))) {
    // One Maven at a time: Maven 3's local repository is not made for concurrent writers.
    const turn = mavenQueue.then(() =>
      existsSync(join(dir, COMPLETE_MARKER)) ? undefined : download(runtime, dir, progress),
    );
    mavenQueue = turn.catch(() => undefined);
    await turn;
  }
  const jars = (await readdir(dir)).filter((file) => file.endsWith('.jar')).sort();
  return jars.map((jar) => join(dir, jar)).join(':');
}

async function download(runtime: JvmRuntime, dir: string, progress: ProgressSink): Promise<void> {
  const label = `${runtime.name} ${runtime.version}`;
  const tempDir = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tempDir, { recursive: true });
  try {
    await runMaven(runtime, tempDir, label, progress);
    await writeFile(join(tempDir, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
    try {
      await rename(tempDir, dir);
    } catch (error) {
      // Another process finished first: its complete folder is as good as ours.
      if (!existsSync(join(dir, COMPLETE_MARKER))) throw error;
    }
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

function runMaven(
  runtime: JvmRuntime,
  outputDir: string,
  label: string,
  progress: ProgressSink,
): Promise<void> {
  const pom = join(POM_DIR, `${runtime.name}.pom.xml`);
  const args = [
    '-B',
    '-f',
    pom,
    'dependency:copy-dependencies',
    `-D${runtime.versionProperty}=${runtime.version}`,
    `-DoutputDirectory=${outputDir}`,
  ];
  const startedMs = Date.now();
  progress(
    `resolving ${label} from Maven Central into ${outputDir.replace(/\.tmp-.*$/, '')} (first use only)`,
  );
  return new Promise((resolve, reject) => {
    const maven = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    let downloaded = 0;
    const onLine = (line: string): void => {
      if (line.includes('Downloaded from')) downloaded += 1;
      tail.push(line);
      if (tail.length > 40) tail.shift();
    };
    let pending = '';
    const onData = (chunk: Buffer): void => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(onLine);
    };
    maven.stdout.on('data', onData);
    maven.stderr.on('data', onData);
    const ticker = setInterval(() => {
      const seconds = Math.round((Date.now() - startedMs) / 1000);
      progress(`resolving ${label}: ${downloaded} files downloaded, ${seconds}s`);
    }, 5000);
    maven.on('error', (error) => {
      clearInterval(ticker);
      reject(
        new StackError('maven_failed', `cannot run mvn to resolve ${label}: ${error.message}`, {
          cause: error,
        }),
      );
    });
    maven.on('close', (code) => {
      clearInterval(ticker);
      const seconds = ((Date.now() - startedMs) / 1000).toFixed(1);
      if (code === 0) {
        progress(`resolved ${label}: ${downloaded} files downloaded in ${seconds}s`);
        resolve();
      } else {
        const message = `mvn exited with ${String(code)} resolving ${label}; last output:\n${tail.join('\n')}`;
        reject(new StackError('maven_failed', message));
      }
    });
  });
}
