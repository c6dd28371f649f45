/**
 * Micro-benchmark of the event validator (hot path), one core. Not a test: it reports numbers.
 *   npx tsx test/load/validate-bench.ts [--events 1000000]
 */
import { topicOfEventType, type Topic } from '../../src/events/topics.ts';
import { validateEvent, validateValue } from '../../src/events/validate.ts';
import { ALL_EVENT_TYPES, wireValue } from '../fixtures/valid-events.ts';

const count = Number(process.argv[process.argv.indexOf('--events') + 1]) || 1_000_000;

/** A realistic mix: every type, distinct ids and times, so nothing is cached by accident. */
const samples = Array.from({ length: count }, (_, i) => {
  const type = ALL_EVENT_TYPES[i % ALL_EVENT_TYPES.length]!;
  const overrides = {
    event_id: `evt-${i}`,
    user_id: `user-${i % 5000}`,
    event_time: new Date(Date.UTC(2025, 0, 6) + i * 7).toISOString(),
  };
  return {
    topic: topicOfEventType(type) as Topic,
    key: `user-${i % 5000}`,
    value: wireValue(type, overrides),
  };
});

function report(name: string, startNs: bigint, valid: number): void {
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
  const perSecond = Math.round(count / seconds);
  console.log(
    `${name.padEnd(34)} ${perSecond.toLocaleString('en-US').padStart(12)} events/s  (${valid}/${count} valid)`,
  );
}

for (let round = 1; round <= 3; round++) {
  console.log(`round ${round}`);
  const parsed = samples.map((s) => JSON.parse(s.value) as unknown);

  let start = process.hrtime.bigint();
  let valid = 0;
  for (let i = 0; i < count; i++)
    if (validateEvent(samples[i]!.topic, samples[i]!.key, parsed[i]).ok) valid++;
  report('validate (parsed object)', start, valid);

  start = process.hrtime.bigint();
  valid = 0;
  for (const s of samples) if (validateValue(s.topic, s.key, s.value).ok) valid++;
  report('JSON.parse + validate (wire string)', start, valid);

  start = process.hrtime.bigint();
  valid = 0;
  for (const s of samples) if (JSON.parse(s.value) !== null) valid++;
  report('JSON.parse alone (for reference)', start, valid);
}
