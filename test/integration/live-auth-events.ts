/**
 * Auth events made on the spot for the live dashboard test: a login or a failed login of a named user,
 * stamped with the wall clock and produced at once to the fixture's auth topic (key = user_id, in the
 * partition Kafka's default partitioner gives it, as the contract says). It remembers the users of each
 * minute, so a test knows what auth_realtime_active_users_1min must show for that window.
 */
import { randomUUID } from 'node:crypto';
import { onTestFinished } from 'vitest';
import { partitionOfKey } from '../../src/generator/kafka-partition.ts';
import { createKafka } from '../../src/stack/kafka-client.ts';
import type { StackEndpoints } from '../../src/stack/endpoints.ts';
import type { RunFixture } from './run-fixture.ts';

const MINUTE_MS = 60_000;

export interface LiveAuth {
  /** Produces a login_success of `user` now; resolves with its event time once the broker has it. */
  login(user: string): Promise<number>;
  /** Produces a login_failure of `user` now; resolves with its event time once the broker has it. */
  failedLogin(user: string): Promise<number>;
  /** Distinct users of the events produced in the minute starting at `startMs`. */
  usersInMinute(startMs: number): number;
}

/** A producer of the fixture's auth events; disconnected when the test finishes. */
export async function liveAuth(endpoints: StackEndpoints, fixture: RunFixture): Promise<LiveAuth> {
  const producer = createKafka(endpoints.kafka, 'dashboard-live-producer').producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  onTestFinished(() => producer.disconnect());
  const usersByMinute = new Map<number, Set<string>>();

  const produce = async (user: string, fields: Record<string, string>): Promise<number> => {
    const eventMs = Date.now();
    const minute = Math.floor(eventMs / MINUTE_MS) * MINUTE_MS;
    usersByMinute.set(minute, (usersByMinute.get(minute) ?? new Set()).add(user));
    const event = {
      event_id: randomUUID(),
      event_time: new Date(eventMs).toISOString(),
      user_id: user,
      ip: '203.0.113.7',
      ...fields,
    };
    await producer.send({
      topic: `${fixture.topicPrefix}lms.auth`,
      acks: -1,
      messages: [
        { key: user, value: JSON.stringify(event), partition: partitionOfKey(user, fixture.partitions) },
      ],
    });
    return eventMs;
  };

  return {
    login: (user) =>
      produce(user, {
        event_type: 'login_success',
        session_id: `s-${randomUUID()}`,
        user_agent: 'dashboard-live-test',
      }),
    failedLogin: (user) => produce(user, { event_type: 'login_failure', failure_reason: 'bad_password' }),
    usersInMinute: (startMs) => usersByMinute.get(startMs)?.size ?? 0,
  };
}
