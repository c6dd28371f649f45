/**
 * Kafka and S3 for a job run: the endpoint values (the processor's settings: flag > env > config file)
 * are checked by the same rules as the stack's environment; services not named are started locally
 * (development), as for the tests.
 */
import type { StackEndpoints } from './endpoints.ts';
import { startStack } from './stack.ts';
import { checkEndpointValues, type EndpointValues, type Env } from './stack-env.ts';
import { StackError } from './stack-error.ts';

export interface ResolvedEndpoints {
  endpoints: StackEndpoints;
  /** Stops services started here (none when both were given). */
  stop(): Promise<void>;
}

export async function resolveEndpoints(
  values: EndpointValues,
  stackEnv: Env = process.env,
): Promise<ResolvedEndpoints> {
  const checked = checkEndpointValues({ stackMode: stackEnv.STACK_MODE, ...values });
  if (!checked.ok) throw new StackError('bad_env', `bad endpoint settings: ${checked.errors.join('; ')}`);
  const { kafka, s3, partitions } = checked.settings;
  if (kafka !== undefined && s3 !== undefined) {
    return { endpoints: { kafka, s3, partitions }, stop: () => Promise.resolve() };
  }
  const stack = await startStack({ env: stackEnv, values, createTopics: true });
  return { endpoints: stack.endpoints, stop: () => stack.stop() };
}
