/** The oracle's options and their defaults, apart from run-oracle.ts so reading them does not load DuckDB. */
export interface OracleOptions {
  /** D of docs/contract/semantics.md: wm(p) = maxT(p) − D. Default 2 min. */
  watermarkDelayMs: number;
  /** Session gap of auth_realtime_session_activity. Default 10 min. */
  sessionGapMs: number;
  /** When set, the accepted events are also written there as Parquet, to rerun the queries elsewhere. */
  eventsParquetPath?: string;
}

export const DEFAULT_ORACLE_OPTIONS: OracleOptions = { watermarkDelayMs: 120_000, sessionGapMs: 600_000 };
