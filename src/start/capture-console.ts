/**
 * While the summary owns the terminal, console output (kafkajs logs its errors through console) goes to
 * the log file instead of tearing the frame. Returns the function that puts console back.
 */
import { format } from 'node:util';
import type { Logger } from 'pino';

const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

export function captureConsole(logger: Logger): () => void {
  const saved = METHODS.map((method) => [method, console[method]] as const);
  for (const method of METHODS) {
    console[method] = (...args: unknown[]) => logger.warn({ console: method }, format(...args));
  }
  return () => {
    for (const [method, original] of saved) console[method] = original;
  };
}
