/**
 * A fastify server held to `limits` (connection-limits.ts), with request ids from `x-request-id` or a
 * fresh UUID, and a flag that turns true once it starts closing (its readiness answers 503 then).
 * Without a logger: one would log headers, and so any token.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { fastifyConnectionOptions, type ConnectionLimits } from './connection-limits.ts';

export function limitedFastify(
  limits: ConnectionLimits,
  options: { bodyLimit?: number } = {},
): { server: FastifyInstance; closing: () => boolean } {
  const server = Fastify({
    logger: false,
    ...options,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    ...fastifyConnectionOptions(limits),
  });
  server.server.maxConnections = limits.maxConnections;
  let closing = false;
  server.addHook('onClose', async () => {
    closing = true;
  });
  return { server, closing: () => closing };
}
