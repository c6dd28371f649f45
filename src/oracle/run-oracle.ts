/**
 * The batch oracle: the acceptance scan over every record, then the 25 view queries over the accepted
 * events in DuckDB. Whole-input and obvious on purpose; it shares nothing with src/processor.
 */
import type { SourceRecord } from '../events/record.ts';
import type { RejectedRecord, ViewRow } from '../events/view-dump.ts';
import { AcceptanceScan } from './acceptance.ts';
import { appendEvent } from './events-table.ts';
import { withSession, type OracleSession } from './oracle-session.ts';
import { DEFAULT_ORACLE_OPTIONS, type OracleOptions } from './oracle-options.ts';

export interface OracleResult {
  /** The merged logical rows of every view (all 25 keys present), catalog columns only. */
  rowsByView: Map<string, ViewRow[]>;
  /** Every rejected record, in input order. */
  rejected: RejectedRecord[];
  acceptedCount: number;
}

function checkOptions({ watermarkDelayMs, sessionGapMs }: OracleOptions): void {
  if (!Number.isSafeInteger(watermarkDelayMs) || watermarkDelayMs < 0) {
    throw new Error(`runOracle: watermarkDelayMs must be an integer >= 0, got ${watermarkDelayMs}`);
  }
  if (!Number.isSafeInteger(sessionGapMs) || sessionGapMs <= 0) {
    throw new Error(`runOracle: sessionGapMs must be an integer > 0, got ${sessionGapMs}`);
  }
}

export async function runOracle(
  records: AsyncIterable<SourceRecord> | Iterable<SourceRecord>,
  options: Partial<OracleOptions> = {},
): Promise<OracleResult> {
  const settings = { ...DEFAULT_ORACLE_OPTIONS, ...options };
  checkOptions(settings);
  return withSession(async (session) => {
    const { rejected, acceptedCount, acceptedTopics } = await loadAcceptedEvents(session, records, settings);
    if (settings.eventsParquetPath !== undefined) {
      const path = settings.eventsParquetPath.replaceAll("'", "''");
      await session.connection.run(`COPY events TO '${path}' (FORMAT parquet)`);
    }
    await session.setSessionGap(settings.sessionGapMs);
    const rowsByView = await session.queryAllViews(acceptedTopics);
    return { rowsByView, rejected, acceptedCount };
  });
}

/** The acceptance scan, appending each accepted event to the session's `events` table as it goes. */
async function loadAcceptedEvents(
  session: OracleSession,
  records: AsyncIterable<SourceRecord> | Iterable<SourceRecord>,
  { watermarkDelayMs }: OracleOptions,
): Promise<{ rejected: RejectedRecord[]; acceptedCount: number; acceptedTopics: Set<string> }> {
  const appender = await session.appender();
  const scan = new AcceptanceScan(watermarkDelayMs);
  const rejected: RejectedRecord[] = [];
  const acceptedTopics = new Set<string>();
  let acceptedCount = 0;
  try {
    for await (const record of records) {
      const verdict = scan.judge(record);
      if (verdict.accepted) {
        appendEvent(appender, record, verdict.event);
        acceptedTopics.add(record.topic);
        acceptedCount++;
      } else {
        const { topic, partition, offset } = record;
        rejected.push({ topic, partition, offset, reason: verdict.reason });
      }
    }
  } finally {
    appender.closeSync();
  }
  return { rejected, acceptedCount, acceptedTopics };
}
