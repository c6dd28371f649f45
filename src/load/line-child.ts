/**
 * A helper process of a load scenario that talks in lines: it gets its job as JSON in argv, writes
 * `{"ready":true}` once it runs and `{"result":…}` before it exits, and takes one-word commands on stdin.
 * Lines that are not JSON are passed on to stderr under the child's name.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { siblingScriptArgs } from './sibling-script.ts';

/** Lines such a child writes on stdout. */
export type ChildLine<T> = { ready: true } | { result: T };

export interface LineChild<T> {
  /** Sends one command line. */
  send(command: string): void;
  /** Sends `stop`, ends stdin, and resolves with the child's result once it exited. */
  finish(): Promise<T>;
}

const READY_TIMEOUT_MS = 120_000;

/** Starts the sibling module `name` of `from` (an import.meta.url) and resolves once it said ready. */
export async function startLineChild<T>(from: string, name: string, job: unknown): Promise<LineChild<T>> {
  const child = spawn(process.execPath, [...siblingScriptArgs(from, name), JSON.stringify(job)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  let result: T | undefined;
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: ChildLine<T>;
    try {
      line = JSON.parse(text) as ChildLine<T>;
    } catch {
      process.stderr.write(`[${name}] ${text}\n`);
      return;
    }
    if ('ready' in line) ready();
    else result = line.result;
  });
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`${name}: not ready in time`)), READY_TIMEOUT_MS).unref(),
  );
  const failed = exited.then((code) => {
    throw new Error(`${name} exited with ${code} before it was ready`);
  });
  await Promise.race([started, timeout, failed]);
  failed.catch(() => undefined);
  return {
    send: (command) => child.stdin!.write(`${command}\n`),
    finish: async () => {
      child.stdin!.end('stop\n');
      const code = await exited;
      if (result === undefined) throw new Error(`${name} exited with ${code} without a result`);
      return result;
    },
  };
}

/** In the child: writes one line for the parent. */
export function sayToParent<T>(line: ChildLine<T>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** In the child: yields the parent's commands until `stop` (or stdin's end). */
export async function* parentCommands(): AsyncGenerator<string> {
  for await (const command of createInterface({ input: process.stdin })) {
    if (command === 'stop') return;
    yield command;
  }
}
