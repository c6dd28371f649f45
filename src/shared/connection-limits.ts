/**
 * How long a client may take and how many may be connected. Without these a body or headers dribbled at
 * 1 byte/s held a socket for good and idle sockets piled up. Node's http.Server enforces them (fastify
 * hands them over): headers and then the whole request must arrive in time (else 408 and the socket
 * closes), a silent socket is closed, a kept-alive socket waits a bounded time for its next request,
 * and connections beyond the cap are closed as they are accepted.
 */
export interface ConnectionLimits {
  /** Headers must be complete this long after the connection opened (or the previous response); 408 otherwise. */
  headersTimeoutMs: number;
  /** Headers and body must have arrived this long after the request started; 408 otherwise. */
  requestTimeoutMs: number;
  /** A socket with no traffic either way for this long is closed. Also bounds the wait for Kafka's ack. */
  idleTimeoutMs: number;
  /** A kept-alive socket waits this long for its next request. Behind a load balancer: above its idle timeout. */
  keepAliveTimeoutMs: number;
  /** Open connections at most; more are closed as they are accepted. */
  maxConnections: number;
}

/** 30 s carries a 5 MiB body at 1.4 Mbit/s; 60 s idle covers kafkajs's retries of an unacknowledged send. */
export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 10_000,
  maxConnections: 512,
};

/** Completes `given` with the defaults (the headers timeout at most the request timeout) and checks it. */
export function connectionLimits(given: Partial<ConnectionLimits> = {}): ConnectionLimits {
  const defaults = DEFAULT_CONNECTION_LIMITS;
  const requestTimeoutMs = given.requestTimeoutMs ?? defaults.requestTimeoutMs;
  const limits: ConnectionLimits = {
    headersTimeoutMs: given.headersTimeoutMs ?? Math.min(defaults.headersTimeoutMs, requestTimeoutMs),
    requestTimeoutMs,
    idleTimeoutMs: given.idleTimeoutMs ?? defaults.idleTimeoutMs,
    keepAliveTimeoutMs: given.keepAliveTimeoutMs ?? defaults.keepAliveTimeoutMs,
    maxConnections: given.maxConnections ?? defaults.maxConnections,
  };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`connectionLimits: ${name} must be a whole number > 0, got ${value}`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs)
    throw new Error(
      `connectionLimits: headersTimeoutMs (${limits.headersTimeoutMs}) must not exceed requestTimeoutMs (${limits.requestTimeoutMs})`,
    );
  return limits;
}

/** The fastify options that enforce `limits`, all but maxConnections (set on the http.Server). */
export function fastifyConnectionOptions(limits: ConnectionLimits) {
  return {
    connectionTimeout: limits.idleTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      // Node looks for expired headers/requests this often; its 30 s default would let a 10 s timeout
      // fire up to 40 s in. A quarter of the headers timeout, at most 1 s.
      connectionsCheckingInterval: Math.min(1000, Math.ceil(limits.headersTimeoutMs / 4)),
    },
  };
}
