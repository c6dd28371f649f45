/**
 * The archive worker thread's entry (started by archive-thread.ts, never imported by the jobs): converts
 * one request at a time — a topic's pending lines, in transferred chunks of whole lines — and answers with
 * the files, their bytes transferred back. A bad line answers an error for that request only.
 */
import { parentPort } from 'node:worker_threads';
import { convertArchive } from './archive-conversion.ts';
import type { ArchiveReply, ArchiveRequest } from './archive-thread.ts';
import { ndjsonLines } from './ndjson-parts.ts';

const port = parentPort;
if (port === null) throw new Error('archive-worker.ts runs as a worker thread (archive-thread.ts starts it)');

port.on('message', ({ id, dir, topic, chunks, options }: ArchiveRequest) => {
  let reply: ArchiveReply;
  try {
    const files = convertArchive(dir, topic, chunks.flatMap(ndjsonLines), options);
    reply = { id, files };
  } catch (error) {
    reply = { id, error: (error as Error).message ?? String(error) };
  }
  const buffers = 'files' in reply ? new Set(reply.files.map(({ body }) => body.buffer)) : [];
  port.postMessage(reply, [...buffers] as ArrayBuffer[]);
});
