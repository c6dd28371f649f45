/**
 * The raw archive's worker thread, seen from the jobs: one long-lived worker per process (shared by the
 * jobs in it, started at the first gather) runs the conversion (archive-conversion.ts), so a minute of
 * pending lines — seconds of CPU — no longer stops the commits. The lines go over transferred (pending
 * bodies as they are, single lines packed into one buffer), the files' bytes come back transferred.
 * A worker that dies (uncaught error, out of memory, killed) fails every conversion it held with a clear
 * error, never a hang; the next conversion starts a new worker. An idle worker is unref'd, so it never
 * keeps the process alive; it ends with the process.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Topic } from '../../events/topics.ts';
import type { OutputFile } from '../../storage/layout.ts';
import type { ArchiveConversionOptions } from './archive-conversion.ts';

/** What the jobs send the worker: one topic's pending lines, in chunks of whole lines (each a newline). */
export interface ArchiveRequest {
  id: number;
  dir: string;
  topic: Topic;
  chunks: Uint8Array[];
  options: ArchiveConversionOptions;
}

/** What the worker answers: the files, or why the conversion failed. */
export type ArchiveReply = { id: number; files: OutputFile[] } | { id: number; error: string };

interface Waiter {
  resolve: (files: OutputFile[]) => void;
  reject: (error: Error) => void;
}

interface Running {
  worker: Worker;
  /** Conversions sent and not answered, by request id. */
  waiting: Map<number, Waiter>;
}

/** Next to this module: `.ts` when running from the sources (vitest, tsx), `.js` in dist/. */
const WORKER_ENTRY = new URL(
  `./archive-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

export class ArchiveThread {
  private running: Running | undefined;
  private nextId = 0;

  /** `entry`: the worker's module (tests start others). */
  constructor(private readonly entry: URL = WORKER_ENTRY) {}

  /**
   * The archive files of one topic's pending lines (see convertArchive), converted by the worker. An item
   * is one line, or whole lines ending in a newline (a pending file's body). A body that is the whole of
   * its memory goes over as it is and is detached here (a busy topic's minute is 100+ MB: copying it
   * cost the loop a second, mostly in page faults); the other items are packed into one new buffer.
   */
  convert(
    dir: string,
    topic: Topic,
    lines: readonly Uint8Array[],
    options: ArchiveConversionOptions = {},
  ): Promise<OutputFile[]> {
    const running = (this.running ??= this.start());
    const id = (this.nextId += 1);
    return new Promise<OutputFile[]>((resolve, reject) => {
      const chunks = transferableChunks(lines);
      const request: ArchiveRequest = { id, dir, topic, chunks, options };
      running.waiting.set(id, { resolve, reject });
      running.worker.ref();
      try {
        running.worker.postMessage(request, [...new Set(chunks.map(({ buffer }) => buffer as ArrayBuffer))]);
      } catch (error) {
        this.settled(running, id)?.reject(new Error(`archive worker: cannot send ${dir}`, { cause: error }));
      }
    });
  }

  /** Stops the worker (if any); conversions it held fail. */
  async close(): Promise<void> {
    const running = this.running;
    this.running = undefined;
    await running?.worker.terminate();
  }

  private start(): Running {
    const worker = this.entry.pathname.endsWith('.ts')
      ? new Worker(withTsx(this.entry), { eval: true })
      : new Worker(this.entry);
    const running: Running = { worker, waiting: new Map() };
    worker.unref();
    worker.on('message', (reply: ArchiveReply) => {
      const waiting = this.settled(running, reply.id);
      if ('files' in reply) waiting?.resolve(reply.files.map(asBuffer));
      else waiting?.reject(new Error(`archive worker: ${reply.error}`));
    });
    worker.on('error', (error) => this.failed(running, `archive worker failed: ${error.message}`, error));
    worker.on('exit', (code) => this.failed(running, `archive worker exited with code ${code}`));
    return running;
  }

  /** Forgets an answered request; an idle worker stops holding the process. */
  private settled(running: Running, id: number): Waiter | undefined {
    const waiting = running.waiting.get(id);
    running.waiting.delete(id);
    if (running.waiting.size === 0) running.worker.unref();
    return waiting;
  }

  /** The worker is gone: every conversion it held fails, and the next one starts a new worker. */
  private failed(running: Running, message: string, cause?: unknown): void {
    if (this.running === running) this.running = undefined;
    const waiting = [...running.waiting.values()];
    running.waiting.clear();
    for (const { reject } of waiting) reject(new Error(message, { cause }));
  }
}

/** The process's archive worker. */
export const archiveThread = new ArchiveThread();

/** The items as chunks of whole lines, each owning its memory: bodies that do as they are, the rest packed. */
function transferableChunks(items: readonly Uint8Array[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let rest: Uint8Array[] = [];
  const packRest = (): void => {
    if (rest.length > 0) chunks.push(packLines(rest));
    rest = [];
  };
  for (const item of items) {
    if (ownsItsMemory(item) && endsLine(item)) {
      packRest();
      chunks.push(item);
    } else rest.push(item);
  }
  packRest();
  return chunks;
}

/** The view is its whole buffer, so transferring it detaches nothing else (a pooled Buffer is not). */
function ownsItsMemory(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && !isShared(bytes.buffer);
}

function isShared(buffer: ArrayBufferLike): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer;
}

/**
 * The lines, each followed by a newline, in one new buffer; runs of adjacent lines are copied at once.
 * An item may also be whole lines already ending in their newline (a commit's pending body).
 */
export function packLines(lines: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const line of lines) total += line.byteLength + (endsLine(line) ? 0 : 1);
  const packed = new Uint8Array(total);
  let at = 0;
  for (let index = 0; index < lines.length;) {
    // ndjsonLines gives views of one body: line i + 1 often starts right after line i's newline.
    const first = lines[index]!;
    const whole = new Uint8Array(first.buffer);
    let end = first.byteOffset + first.byteLength;
    for (index += 1; index < lines.length; index += 1) {
      const next = lines[index]!;
      if (whole[end - 1] === NEWLINE) break; // the run ends in whole lines: nothing joins it
      if (next.buffer !== first.buffer || next.byteOffset !== end + 1 || whole[end] !== NEWLINE) break;
      end = next.byteOffset + next.byteLength;
    }
    packed.set(whole.subarray(first.byteOffset, end), at);
    at += end - first.byteOffset;
    if (packed[at - 1] !== NEWLINE || end === first.byteOffset) packed[at++] = NEWLINE;
  }
  return packed;
}

const NEWLINE = 0x0a;

function endsLine(bytes: Uint8Array): boolean {
  return bytes.byteLength > 0 && bytes[bytes.byteLength - 1] === NEWLINE;
}

/** A worker's body as the Buffer the writer made (structured clone gives a Uint8Array). */
function asBuffer(file: OutputFile): OutputFile {
  const { body } = file;
  return { ...file, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
}

/** A worker of a `.ts` module: registers tsx first (a devDependency, present wherever the sources run). */
function withTsx(entry: URL): string {
  const api = JSON.stringify(tsxApiUrl());
  return `import(${api}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
}

/** `tsx/esm/api` as `import` resolves it (require.resolve would give its CommonJS twin, which fails here). */
function tsxApiUrl(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const { exports } = require(manifest) as { exports: Record<string, { import: { default: string } }> };
  return new URL(exports['./esm/api']!.import.default, pathToFileURL(manifest)).href;
}
