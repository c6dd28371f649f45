/**
 * Structured logs: JSON lines in production (one object per line, for log shippers), readable colour
 * lines on a terminal. Fields that may hold credentials are redacted, whatever logs them.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type LogFormat = 'json' | 'pretty' | 'auto';

const REDACTED_PATHS = [
  '*.password',
  '*.secretAccessKey',
  '*.accessKeyId',
  '*.kafkaSaslPassword',
  '*.s3SecretAccessKey',
  '*.s3AccessKeyId',
  '*.sasl',
  '*.credentials',
];

export interface LoggerOptions {
  level?: string;
  format?: LogFormat;
  name?: string;
  /** Where JSON lines go (default: stderr); tests pass a stream to read them back. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? 'auto';
  const pretty =
    format === 'pretty' ||
    (format === 'auto' && options.destination === undefined && process.stderr.isTTY === true);
  return pino(
    {
      name: options.name ?? 'speed-layer',
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '****' },
      ...(pretty
        ? {
            transport: {
              target: 'pino-pretty',
              options: { destination: 2, translateTime: 'SYS:HH:MM:ss.l' },
            },
          }
        : {}),
    },
    pretty ? undefined : (options.destination ?? pino.destination(2)),
  );
}
