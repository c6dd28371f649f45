/**
 * Operations endpoints on 127.0.0.1 by default: `/healthz` (per-job state; 503 when a job is down or
 * stalled), `/readyz` (200 once every job restored its checkpoint and consumes), `/metrics` (Prometheus).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export interface JobHealth {
  state: 'starting' | 'running' | 'restarting' | 'stopped' | 'failed';
  /** Seconds since the job's last successful commit (null before the first). */
  lastCommitAgeSeconds: number | null;
  /** Records behind the high-water marks, summed over the job's partitions; null while unknown (no runner reads). */
  lag: number | null;
  /**
   * Every partition of the job is owned here, read to the broker's end, idle with its idle advance
   * committed, and completion has published what that made complete (false while behind or restarting).
   */
  caughtUp?: boolean;
  /** Seconds the commit in flight has taken so far, when one has taken a second or more. */
  commitInFlightSeconds?: number;
  /** Why the job is unhealthy, when it is. */
  problem?: string;
}

export interface HealthSource {
  jobs(): Record<string, JobHealth>;
  /** Healthy = running and committed within this many seconds ... */
  stalledAfterSeconds: number;
  /** ... and no commit in flight for longer than this (a hung store); default: no limit. */
  commitTimeoutSeconds?: number;
}

export function isHealthy(
  job: JobHealth,
  stalledAfterSeconds: number,
  commitTimeoutSeconds = Infinity,
): boolean {
  if (job.state !== 'running') return false;
  if ((job.commitInFlightSeconds ?? 0) > commitTimeoutSeconds) return false;
  return job.lastCommitAgeSeconds === null || job.lastCommitAgeSeconds <= stalledAfterSeconds;
}

/** Health as /healthz answers it: a job whose commit hangs says so. */
export function healthReport(source: HealthSource): { healthy: boolean; jobs: Record<string, JobHealth> } {
  const { stalledAfterSeconds, commitTimeoutSeconds = Infinity } = source;
  const jobs = source.jobs();
  let healthy = true;
  for (const [name, job] of Object.entries(jobs)) {
    if (isHealthy(job, stalledAfterSeconds, commitTimeoutSeconds)) continue;
    healthy = false;
    if ((job.commitInFlightSeconds ?? 0) > commitTimeoutSeconds && job.problem === undefined)
      jobs[name] = {
        ...job,
        problem: `a commit has been in flight for ${job.commitInFlightSeconds} s (COMMIT_TIMEOUT ${commitTimeoutSeconds} s): is the object store hanging?`,
      };
  }
  return { healthy, jobs };
}

export async function startHttpServer(options: {
  host: string;
  port: number;
  health: HealthSource;
  registry: Registry;
}): Promise<{ server: FastifyInstance; url: string }> {
  const server = Fastify({ logger: false });
  server.get('/healthz', async (_request, reply) => {
    const { healthy, jobs } = healthReport(options.health);
    return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'unhealthy', jobs });
  });
  server.get('/readyz', async (_request, reply) => {
    const jobs = Object.values(options.health.jobs());
    const ready = jobs.length > 0 && jobs.every((job) => job.state === 'running');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
  });
  server.get('/metrics', async (_request, reply) => {
    return reply.type(options.registry.contentType).send(await options.registry.metrics());
  });
  const url = await server.listen({ host: options.host, port: options.port });
  return { server, url };
}
