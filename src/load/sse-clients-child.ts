/**
 * The SSE subscribers of a sustained run in a process of their own (load/sse-clients.ts). Reads the
 * stream URLs as JSON in argv[2]; writes `{ready}` once they are connecting and `{result}` after `stop`.
 */
import { parentCommands, sayToParent } from './line-child.ts';
import { SseClients, type SseResult } from './sse-clients.ts';

const clients = new SseClients(JSON.parse(process.argv[2]!) as string[]);
sayToParent<SseResult>({ ready: true });
for await (const command of parentCommands())
  process.stderr.write(`[sse clients] unknown command ${command}\n`);
sayToParent<SseResult>({ result: clients.stop() });
process.exit(0); // the closed sockets would keep it alive a moment
