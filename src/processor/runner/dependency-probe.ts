/**
 * Cheap "does it answer?" requests for the failure policy (job-slot.ts): one HEAD of a key that need not
 * exist for the object store, one metadata request without retries for Kafka. A refusal (403, SASL)
 * counts as not answering: the restart would fail the same way.
 */
import type { Kafka } from 'kafkajs';
import type { ObjectStore } from '../../storage/object-store.ts';
import type { Dependency } from './failure-policy.ts';

export function dependencyProbe(
  kafka: Kafka,
  store: ObjectStore,
  probeKey: string,
): (dependency: Dependency) => Promise<boolean> {
  return async (dependency) => {
    if (dependency === 'storage') {
      await store.exists(probeKey);
      return true;
    }
    if (dependency !== 'kafka') return false;
    const admin = kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      await admin.describeCluster();
      return true;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
}
