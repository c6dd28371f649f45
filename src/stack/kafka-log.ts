/**
 * kafkajs's own log lines, routed into the process's structured logger instead of raw JSON on the
 * console. kafkajs logs at ERROR what its client retries (a connection refused, a broker that is not the
 * leader yet, a rebalance); what fails a job reaches our code and is logged there at error. So its
 * errors go out at warn, and a consumer group's rebalance, routine whenever an instance joins or leaves,
 * at info: alerting on error lines stays meaningful.
 */
import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

const ROUTINE = /rebalanc|not aware of this member|re-?join/i;

/** The pino level a kafkajs entry is logged at. */
export function kafkaLogLevel(level: logLevel, message: string, error?: unknown): 'warn' | 'info' | 'debug' {
  if (level === logLevel.ERROR || level === logLevel.WARN) {
    const text = `${message} ${typeof error === 'string' ? error : ''}`;
    return ROUTINE.test(text) ? 'info' : 'warn';
  }
  return level === logLevel.INFO ? 'info' : 'debug';
}

export function kafkaLogCreator(logger: Pick<Logger, 'warn' | 'info' | 'debug'>): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
      const text = namespace ? `kafka ${namespace}: ${message}` : `kafka: ${message}`;
      logger[kafkaLogLevel(level, message, fields.error)](fields, text);
    };
}
