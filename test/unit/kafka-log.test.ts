/**
 * kafkajs's lines reach the process's logger: a rebalance (which kafkajs reports as an error) at info,
 * its other errors (which it retries) and warnings at warn, fields kept; error lines stay the job's own.
 */
import { Writable } from 'node:stream';
import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/processor/runtime/logger.ts';
import { kafkaLogCreator, kafkaLogLevel } from '../../src/stack/kafka-log.ts';

describe('kafkajs log lines', () => {
  it('logs a rebalance at info and its other errors at warn', () => {
    expect(kafkaLogLevel(logLevel.ERROR, 'The group is rebalancing, re-joining')).toBe('info');
    expect(
      kafkaLogLevel(
        logLevel.ERROR,
        'Response Heartbeat(key: 12, version: 3)',
        'The group is rebalancing, so a rejoin is needed',
      ),
    ).toBe('info');
    expect(kafkaLogLevel(logLevel.ERROR, 'Connection error: connect ECONNREFUSED 127.0.0.1:9092')).toBe(
      'warn',
    );
    expect(kafkaLogLevel(logLevel.WARN, 'Failed to send request')).toBe('warn');
    expect(kafkaLogLevel(logLevel.INFO, 'Consumer has joined the group')).toBe('info');
    expect(kafkaLogLevel(logLevel.DEBUG, 'Request Fetch')).toBe('debug');
  });

  it("writes them as the process logger's JSON lines, with their fields", () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    });
    const logger = createLogger({ format: 'json', destination, level: 'debug' });
    const log = kafkaLogCreator(logger)(logLevel.ERROR);
    const entry = (level: logLevel, message: string, extra: Record<string, unknown> = {}) =>
      log({
        namespace: 'Runner',
        level,
        label: 'ERROR',
        log: { message, timestamp: '2026-12-07T00:00:00.000Z', logger: 'kafkajs', ...extra },
      });
    entry(logLevel.ERROR, 'The group is rebalancing, re-joining', { groupId: 'g-1' });
    entry(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded', { groupId: 'g-1' });

    expect(lines.map(({ level, msg, groupId }) => ({ level, msg, groupId }))).toEqual([
      { level: 30, msg: 'kafka Runner: The group is rebalancing, re-joining', groupId: 'g-1' },
      { level: 40, msg: 'kafka Runner: Crash: KafkaJSNumberOfRetriesExceeded', groupId: 'g-1' },
    ]);
  });
});
