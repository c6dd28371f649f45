/** `query` as a library (also used by `npm start`'s live summary). Usage and semantics: docs/query-and-start.md. */
export { ViewQuery, type QueryRequest, type QueryResult, type ViewQueryOptions } from './view-query.ts';
export { CompletenessReader, type JobCompleteness } from './completeness.ts';
export { formatRows, isOutputFormat, OUTPUT_FORMATS, type OutputFormat } from './format-rows.ts';
export { openQueryStore, s3EndpointOf } from './open-store.ts';
export type { StartRange } from './start-range.ts';
export { queryAll, type AllViews } from './query-all.ts';
export { queryDeadLetters, type DeadLetterRequest } from './dead-letter-query.ts';
export { deadLetterLine } from '../io/dead-letter.ts';
