/** The generator as a library, for property tests and benchmarks that want records in memory. */
export { generateRecords } from './generate-records.ts';
export type { GeneratedRecord } from './generated-record.ts';
export { DEFAULT_OPTIONS, DEFAULT_START_TIME_MS, FAULT_KINDS, resolveGeneratorOptions } from './options.ts';
export type { FaultKind, GeneratorOptions } from './options.ts';
export { INVALID_KINDS, type InvalidKind } from './invalid-values.ts';
export { partitionOfKey, murmur2 } from './kafka-partition.ts';
export { simulatedSpanMs } from './simulated-span.ts';
export { runGenerator, type RunResult, type RunSettings } from './run-generator.ts';
