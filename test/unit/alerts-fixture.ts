/**
 * For the alert tests: a file store with the auth job's complete rows written as running jobs write them
 * (query-fixture.ts: partial rows committed by one instance owning every partition, completed by its
 * Completer), and alert services over it, logging into a buffer.
 */
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { parseAlertRules } from '../../src/alerts/alert-rules.ts';
import { AlertService, type AlertServiceOptions } from '../../src/alerts/alert-service.ts';
import type { ViewRow } from '../../src/events/view-dump.ts';
import { createLogger } from '../../src/processor/runtime/logger.ts';
import { MergedRows } from '../../src/serving/merged-rows.ts';
import type { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { FakeInstance, at, failedRow, refs, tempStore } from './query-fixture.ts';

export { at, failedRow };
export const FAILED_LOGINS = 'auth_realtime_failed_logins';

export interface AuthStore {
  store: FileObjectStore;
  /** Commits these failed-login rows with every partition's watermark at `watermarkHhmm` (rows through it complete). */
  commit(watermarkHhmm: string, rows?: ViewRow[]): Promise<void>;
  remove(): Promise<void>;
}

export async function authStore(): Promise<AuthStore> {
  const { store, remove } = await tempStore();
  const instance = new FakeInstance(store, 'auth', 'a', refs('lms.auth', 0, 1, 2, 3, 4, 5));
  return {
    store,
    commit: (watermarkHhmm, rows = []) => instance.commit(at(watermarkHhmm), { [FAILED_LOGINS]: rows }),
    remove,
  };
}

export interface TestAlerts {
  service: AlertService;
  registry: Registry;
  rows: MergedRows;
  logs(): string;
}

export function alertService(
  store: FileObjectStore,
  rulesYaml: string,
  options: Partial<AlertServiceOptions> = {},
): TestAlerts {
  let logged = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged += chunk.toString('utf8');
      done();
    },
  });
  const registry = options.registry ?? new Registry();
  const rows = new MergedRows(store);
  const service = new AlertService({
    rules: parseAlertRules(rulesYaml, 'test-alerts.yaml'),
    rows,
    store,
    logger: createLogger({ format: 'json', level: 'info', destination }),
    registry,
    intervalMs: 3_600_000, // rounds run when a test calls evaluateNow(), unless it sets a shorter one
    webhook: { timeoutMs: 5_000, maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
    ...options,
  });
  return { service, registry, rows, logs: () => logged };
}

export function bruteForceRules(webhook: string, extra = ''): string {
  return `webhooks: ['${webhook}']
rules:
  - name: brute_force_login
    view: ${FAILED_LOGINS}
    column: failed_attempts
    op: '>='
    threshold: 20
    for: 2
    severity: critical
${extra}`;
}

/** A metric's value in the registry's text, 0 when absent. */
export async function metricValue(registry: Registry, line: string): Promise<number> {
  const found = (await registry.metrics()).split('\n').find((text) => text.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}
