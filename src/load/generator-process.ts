/** Starts live-generator-child.ts as a child process and follows its progress lines. */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { StackEndpoints } from '../stack/endpoints.ts';
import type { GeneratorLine, LiveGeneratorJob } from './live-generator-child.ts';
import type { LoadTopics } from './load-fixture.ts';
import type { LoadParams } from './load-params.ts';
import { siblingScriptArgs } from './sibling-script.ts';

export interface GeneratorProcess {
  pid: number;
  /** Records handed to Kafka so far (last reported). */
  readonly records: number;
  /** Every progress line since the first record: the steady-state rate comes from these. */
  readonly progress: readonly { records: number; atMs: number }[];
  /** Resolves with the last line once the child has stopped the generator and exited. */
  done: Promise<GeneratorLine>;
}

export function startGeneratorProcess(job: LiveGeneratorJob): GeneratorProcess {
  const script = siblingScriptArgs(import.meta.url, 'live-generator-child');
  const child = spawn(process.execPath, [...script, JSON.stringify(job)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let last: GeneratorLine = { records: 0 };
  const progress: { records: number; atMs: number }[] = [];
  createInterface({ input: child.stdout }).on('line', (text) => {
    try {
      last = JSON.parse(text) as GeneratorLine;
      if (last.atMs !== undefined && last.done !== true)
        progress.push({ records: last.records, atMs: last.atMs });
    } catch {
      process.stderr.write(`[generator] ${text}\n`);
    }
  });
  const done = new Promise<GeneratorLine>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0 && last.done === true && last.error === undefined) resolve(last);
      else reject(new Error(`live generator exited with code ${code}${last.error ? `: ${last.error}` : ''}`));
    });
  });
  return {
    pid: child.pid!,
    get records() {
      return last.records;
    },
    progress,
    done,
  };
}

/** The sustained scenario's input: the run's rate for its duration over the topics, seeded by their id. */
export function startSustainedInput(
  endpoints: StackEndpoints,
  topics: LoadTopics,
  params: Pick<LoadParams, 'ratePerS' | 'durationMs'>,
): GeneratorProcess {
  return startGeneratorProcess({
    endpoints,
    topicPrefix: topics.topicPrefix,
    ratePerS: params.ratePerS,
    durationMs: params.durationMs,
    seed: Number.parseInt(topics.id, 16),
  });
}
