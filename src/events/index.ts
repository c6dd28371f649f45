export * from './topics.ts';
export type * from './types.ts';
export * from './record.ts';
export { parseEventTime, formatEventTime } from './event-time.ts';
export { eventSchema } from './schemas.ts';
export { validateEvent, validateValue, type Validation, type ValidationError } from './validate.ts';
export * from './view-catalog.ts';
export * from './view-dump.ts';
export * from './record-file.ts';
