/**
 * What the integration globalSetup provides: tests read the running stack with `inject('stack')`.
 * Each test creates its own topics/prefixes (random names) and cleans up after itself.
 */
import type { StackEndpoints } from '../../src/stack/endpoints.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackEndpoints;
  }
}

export type { StackEndpoints };
