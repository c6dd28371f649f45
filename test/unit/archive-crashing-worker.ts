/**
 * A stand-in archive worker that dies on its first request (io-archive-thread.test.ts): an uncaught error
 * for dir `throw`, an exit with code 3 otherwise.
 */
import { parentPort } from 'node:worker_threads';
import type { ArchiveRequest } from '../../src/processor/io/archive-thread.ts';

parentPort!.on('message', ({ dir }: ArchiveRequest) => {
  if (dir === 'throw') throw new Error('boom in the worker');
  process.exit(3);
});
