/**
 * GET /v1/alerts (the rules and the latest state per rule and key) and GET /v1/alerts/stream (SSE, one
 * `alert` event per transition), as a fastify plugin serve registers. Without rules (`serve` started
 * without --alerts) both answer 404 saying so.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AlertService } from './alert-service.ts';

export interface AlertsRoutesOptions {
  alerts?: AlertService | undefined;
}

const NO_RULES = { error: 'not_found', message: 'no alert rules configured (serve --alerts FILE)' };

function noRules(reply: FastifyReply) {
  return reply.code(404).send(NO_RULES);
}

export async function alertsRoutes(server: FastifyInstance, options: AlertsRoutesOptions): Promise<void> {
  const { alerts } = options;
  server.get(
    '/v1/alerts',
    {
      schema: {
        summary: 'Alert rules and, per rule and key, the latest state: firing or resolved, since, rows',
      },
    },
    async (_request, reply) => (alerts === undefined ? noRules(reply) : reply.send(alerts.snapshot())),
  );
  server.get(
    '/v1/alerts/stream',
    {
      schema: {
        summary:
          'Server-Sent Events: `event: alert`, one transition per event; Last-Event-ID resumes after the transitions held',
      },
    },
    async (request, reply) => {
      if (alerts === undefined) return noRules(reply);
      reply.hijack();
      const lastEventId = request.headers['last-event-id'];
      alerts.stream.attach(reply.raw, typeof lastEventId === 'string' ? lastEventId : undefined);
      return reply;
    },
  );
  // Open streams would hold the server's close; they end first.
  server.addHook('preClose', async () => alerts?.stream.close());
}
