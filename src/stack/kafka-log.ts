/**
 * kafkajs's own log lines, routed into the process's structured logger instead of raw JSON on the
 * console. kafkajs reports a consumer group's rebalance at ERROR level (the heartbeat's error, the runner
 * re-joining), although a rebalance is routine whenever an instance joins or leaves; those go out at
 * info, so alerting on error lines stays meaningful.
 */
import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

const ROUTINE = /rebalanc|not aware of this member|re-?join/i;

/** The pino level a kafkajs entry is logged at. */
export function kafkaLogLevel(
  level: logLevel,
  message: string,
  error?: unknown,
): 'error' | 'warn' | 'info' | 'debug' {
  if (level === logLevel.ERROR || level === logLevel.WARN) {
    const text = `${message} ${typeof error === 'string' ? error : ''}`;
    if (ROUTINE.test(text)) return 'info';
    return level === logLevel.ERROR ? 'error' : 'warn';
  }
  return level === logLevel.INFO ? 'info' : 'debug';
}

export function kafkaLogCreator(logger: Pick<Logger, 'error' | 'warn' | 'info' | 'debug'>): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
      const text = namespace ? `kafka ${namespace}: ${message}` : `kafka: ${message}`;
      logger[kafkaLogLevel(level, message, fields.error)](fields, text);
    };
}
