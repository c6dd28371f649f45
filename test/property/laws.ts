/**
 * Law helpers for the engine's property tests: replay in memory, compare two view results row by row
 * (doubles with relative tolerance 1e-9, everything else exact), and the oracle law, applied per part of
 * the result (one view, or the rejected list) so that a failure names the part. In the oracle law each
 * side reads the records off the wire with its own Kafka decoder, as in a Kafka run.
 */
import type { KafkaMessage } from 'kafkajs';
import type { RecordBytes, SourceRecord } from '../../src/events/record.ts';
import { differences, differencesIn, RESULT_PARTS, type ViewResult } from '../../src/events/view-result.ts';
import { toSourceRecord } from '../../src/oracle/kafka-records.ts';
import { runOracle } from '../../src/oracle/run-oracle.ts';
import { replay, type ReplayOptions } from '../../src/processor/replay.ts';
import { toRecords } from '../../src/processor/runner/kafka-records.ts';

export const LAW_OPTIONS = { watermarkDelayMs: 120_000, sessionGapMs: 600_000 };

/** Property runs: `PROPERTY_RUNS` overrides the default of a law. */
export function runs(defaultRuns: number): number {
  const fromEnv = Number(process.env.PROPERTY_RUNS);
  return Number.isSafeInteger(fromEnv) && fromEnv > 0 ? fromEnv : defaultRuns;
}

/**
 * One fast-check seed for laws that must see the same inputs (e.g. the oracle law of every view):
 * `PROPERTY_SEED` (the seed a failure printed) to reproduce, else random.
 */
export function sharedSeed(): number {
  const fromEnv = process.env.PROPERTY_SEED ?? '';
  return /^-?\d+$/.test(fromEnv) ? Number(fromEnv) : (Math.random() * 0x1_0000_0000) | 0;
}

export function replayInMemory(records: readonly SourceRecord[], batchSize: number): Promise<ViewResult> {
  const options: ReplayOptions = { ...LAW_OPTIONS, batchSize };
  return replay(records, options);
}

/** Throws with a readable diff when the two results differ. */
export function assertSameResult(actual: ViewResult, expected: ViewResult, what: string): void {
  const found = differences(actual, expected);
  if (found.length > 0) throw new Error(`${what}:\n${found.join('\n')}`);
}

function wireBytes(data: RecordBytes): Buffer | null {
  return data === null ? null : Buffer.from(data);
}

/** The record as kafkajs hands it over: key and value as bytes (text as its UTF-8). */
function kafkaMessage(record: SourceRecord): KafkaMessage {
  return {
    offset: String(record.offset),
    timestamp: String(record.timestamp),
    key: wireBytes(record.key),
    value: wireBytes(record.value),
    attributes: 0,
    headers: {},
  } as KafkaMessage;
}

/** Replay's and the oracle's result for one input, each decoding the bytes itself. */
async function replayAndOracle(
  records: readonly SourceRecord[],
  batchSize: number,
): Promise<{ ours: ViewResult; oracle: ViewResult }> {
  const processorRecords = records.flatMap((record) =>
    toRecords({ topic: record.topic, partition: record.partition, nextOffset: 0 }, [kafkaMessage(record)]),
  );
  const oracleRecords = records.map((record) =>
    toSourceRecord(record.topic, record.partition, kafkaMessage(record)),
  );
  return {
    ours: await replayInMemory(processorRecords, batchSize),
    oracle: await runOracle(oracleRecords, LAW_OPTIONS),
  };
}

/** The oracle law for one part of the result (a view, or the rejected list): replay's equals the oracle's. */
export async function matchesOracle(
  records: readonly SourceRecord[],
  batchSize: number,
  part: string,
): Promise<void> {
  const { ours, oracle } = await replayAndOracle(records, batchSize);
  const found = differencesIn(part, ours, oracle);
  if (found.length > 0)
    throw new Error(
      `${part}: replay (batch size ${batchSize}) differs from the oracle on ${records.length} records:\n${found.join('\n')}`,
    );
}

/** The parts (views, then the rejected list) where replay's result differs from the oracle's for this input. */
export async function partsDifferingFromOracle(
  records: readonly SourceRecord[],
  batchSize: number,
): Promise<string[]> {
  const { ours, oracle } = await replayAndOracle(records, batchSize);
  return RESULT_PARTS.filter((part) => differencesIn(part, ours, oracle, 1).length > 0);
}
