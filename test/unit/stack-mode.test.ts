import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StackEndpoints } from '../../src/stack/endpoints.ts';
import { cacheRoot, KAFKA_RUNTIME, runtimeDir } from '../../src/stack/jvm-artifacts.ts';
import { chooseProvider } from '../../src/stack/stack.ts';
import { endpointsFromEnvOrState, writeStackState, type StackState } from '../../src/stack/stack-state.ts';
import { StackError } from '../../src/stack/stack-error.ts';
import { tempDir } from './temp-dir.ts';

async function choose(mode: 'local' | 'containers' | 'auto', missing: boolean, dockerAnswers: boolean) {
  const messages: string[] = [];
  let asked = 0;
  const provider = await chooseProvider(
    mode,
    missing,
    async () => {
      asked += 1;
      return dockerAnswers;
    },
    (message) => messages.push(message),
  );
  return { provider, asked, messages };
}

describe('the choice of who starts the missing services', () => {
  it('starts local JVMs in local mode without asking for a container runtime', async () => {
    expect(await choose('local', true, true)).toEqual({ provider: 'local', asked: 0, messages: [] });
  });

  it('uses containers in auto and containers mode when a runtime answers', async () => {
    expect((await choose('auto', true, true)).provider).toBe('containers');
    expect((await choose('containers', true, true)).provider).toBe('containers');
  });

  it('falls back to local JVMs, saying so, when no container runtime answers', async () => {
    const chosen = await choose('containers', true, false);
    expect(chosen.provider).toBe('local');
    expect(chosen.messages).toEqual([
      'STACK_MODE=containers: no container runtime answers, starting local JVMs instead',
    ]);
  });

  it('asks nothing when every service is external', async () => {
    expect((await choose('auto', false, true)).asked).toBe(0);
  });
});

describe('finding a running stack', () => {
  const recorded: StackEndpoints = {
    kafka: { brokers: ['127.0.0.1:4000'] },
    s3: {
      endpoint: 'http://127.0.0.1:4001',
      region: 'us-east-1',
      bucket: 'bucket-0',
      accessKeyId: 'a',
      secretAccessKey: 'b',
    },
    partitions: 6,
  };
  const state = (supervisorPid: number): StackState => ({
    supervisorPid,
    pids: [],
    modes: { kafka: 'local', s3: 'local' },
    endpoints: recorded,
    startedAt: new Date(0).toISOString(),
  });

  it('reads the endpoints of a live `stack up`, with the environment overriding per service', async () => {
    const file = join(tempDir('stack-state-'), 'state.json');
    await writeStackState(file, state(process.pid));

    const fromState = endpointsFromEnvOrState({}, file);
    const withKafkaFromEnv = endpointsFromEnvOrState({ KAFKA_BROKERS: 'kafka:9092' }, file);

    expect(fromState).toEqual(recorded);
    expect(withKafkaFromEnv.kafka).toEqual({ brokers: ['kafka:9092'] });
    expect(withKafkaFromEnv.s3).toEqual(recorded.s3);
  });

  it('refuses a state file whose supervisor is gone, naming what to do', async () => {
    const file = join(tempDir('stack-state-'), 'state.json');
    await writeStackState(file, state(2 ** 22 + 12345));
    expect(() => endpointsFromEnvOrState({}, file)).toThrow(StackError);
    expect(() => endpointsFromEnvOrState({}, file)).toThrow(/stack up/);
  });

  it('caches jars per name and version under SPEED_LAYER_CACHE when it is set', () => {
    expect(cacheRoot({ SPEED_LAYER_CACHE: '/cache' })).toBe('/cache');
    expect(runtimeDir(KAFKA_RUNTIME, '/cache')).toBe(`/cache/jars/kafka-${KAFKA_RUNTIME.version}`);
  });
});
