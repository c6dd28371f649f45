/**
 * vitest globalSetup of the integration project: one stack per test run. External services named by
 * KAFKA_BROKERS / S3_ENDPOINT are used as they are; the missing ones start per STACK_MODE (default
 * local JVMs). Tests get the endpoints with `inject('stack')` (see stack-context.ts).
 */
import type { TestProject } from 'vitest/node';
import { startStack } from '../../src/stack/stack.ts';
import './stack-context.ts';

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const startedMs = Date.now();
  const stack = await startStack();
  const seconds = ((Date.now() - startedMs) / 1000).toFixed(1);
  process.stderr.write(`[stack] kafka ${stack.modes.kafka}, s3 ${stack.modes.s3}, ready in ${seconds}s\n`);
  provide('stack', stack.endpoints);
  return () => stack.stop();
}
