/**
 * The contract every window store shares (window-store.ts), as laws applied to each of the four kinds:
 * a store restored from its plain form (through the binary codec) continues exactly as the uninterrupted
 * one, counts itself the same, emits a final contribution once, and holds nothing at watermark +∞.
 */
import { describe, expect, it } from 'vitest';
import { topicOfEventType, type EventType } from '../../src/events/topics.ts';
import type { LmsEvent } from '../../src/events/types.ts';
import { validateValue } from '../../src/events/validate.ts';
import { ByteReader, ByteWriter } from '../../src/processor/engine/codec/byte-buffer.ts';
import { PlainDecoder, PlainEncoder } from '../../src/processor/engine/codec/plain-codec.ts';
import {
  createViewState,
  viewStateToPlain,
  type PlainViewState,
  type ViewState,
} from '../../src/processor/engine/view-state.ts';
import type { FinalSink } from '../../src/processor/engine/window-store.ts';
import { viewDefinition } from '../../src/processor/views/index.ts';
import { MINUTE_MS, record, T0_MS } from './engine-records.ts';

const GAP_MS = 10 * MINUTE_MS;

/** An event to add, or a watermark to close at. */
type Step = LmsEvent | number;

function event(type: EventType, timeMs: number, overrides: Record<string, unknown> = {}): LmsEvent {
  const { key, value } = record(type, timeMs, overrides);
  const validation = validateValue(topicOfEventType(type), key, value);
  if (!validation.ok) throw new Error(validation.error.message);
  return validation.event;
}

const logout = (minutes: number, user = 'u-1') =>
  event('logout', T0_MS + minutes * MINUTE_MS, { user_id: user });
const viewed = (minutes: number, course = 'c-1', user = 'u-1') =>
  event('course_viewed', T0_MS + minutes * MINUTE_MS, { course_id: course, user_id: user });
const sent = (minutes: number, id: string) =>
  event('notification_sent', T0_MS + minutes * MINUTE_MS, { notification_id: id });
const delivered = (minutes: number, id: string) =>
  event('notification_delivered', T0_MS + minutes * MINUTE_MS, { notification_id: id });
const at = (minutes: number): number => T0_MS + minutes * MINUTE_MS;

/** A final contribution, with the watermark of the close that emitted it. */
type Emitted = [closedAtMs: number, startMs: number, endMs: number, key: string, state: unknown];

class RecordingSink implements FinalSink {
  readonly emitted: Emitted[] = [];
  closingAtMs = NaN;

  emit(startMs: number, endMs: number, key: string, state: unknown): void {
    this.emitted.push([this.closingAtMs, startMs, endMs, key, state]);
  }

  sorted(): Emitted[] {
    const order = ([closedAtMs, startMs, endMs, key]: Emitted) => `${closedAtMs}|${startMs}|${endMs}|${key}`;
    return [...this.emitted].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  }
}

function run(store: ViewState, steps: readonly Step[], sink: RecordingSink): void {
  for (const step of steps) {
    if (typeof step === 'number') {
      sink.closingAtMs = step;
      store.close(step, sink);
    } else store.add(step);
  }
}

/** A plain state as a snapshot carries it: deep-copied, then through the binary plain codec. */
function throughBytes(store: ViewState): PlainViewState {
  const writer = new ByteWriter();
  new PlainEncoder(writer).value(viewStateToPlain(store));
  return new PlainDecoder(new ByteReader(writer.finish())).value() as PlainViewState;
}

/** Restoring after any step, then going on, emits what the uninterrupted store emits, at the same closes. */
function assertSameAfterRestore(viewName: string, steps: readonly Step[]): void {
  const view = viewDefinition(viewName);
  const uninterrupted = new RecordingSink();
  run(createViewState(view, GAP_MS), [...steps, Infinity], uninterrupted);
  expect(uninterrupted.emitted.length).toBeGreaterThan(0);
  for (let split = 0; split <= steps.length; split++) {
    const sink = new RecordingSink();
    const before = createViewState(view, GAP_MS);
    run(before, steps.slice(0, split), sink);
    const restored = createViewState(view, GAP_MS, throughBytes(before));
    expect(restored.kind).toBe(before.kind);
    expect(restored.counts()).toEqual(before.counts());
    expect(restored.asPlain()).toEqual(before.asPlain());
    run(restored, [...steps.slice(split), Infinity], sink);
    expect(sink.sorted(), `restored after step ${split}`).toEqual(uninterrupted.sorted());
  }
}

/** A close emits each final contribution once, and at watermark +∞ the store is empty. */
function assertEmitsOnceThenEmpty(viewName: string, steps: readonly Step[]): void {
  const store = createViewState(viewDefinition(viewName), GAP_MS);
  const sink = new RecordingSink();
  run(store, steps, sink);
  const lastCloseMs = Math.max(...steps.filter((step) => typeof step === 'number'));
  const emitted = sink.emitted.length;
  run(store, [lastCloseMs], sink);
  expect(sink.emitted.length).toBe(emitted);
  run(store, [Infinity, Infinity], sink);
  expect(store.counts()).toEqual({ windows: 0, entries: 0 });
  const cells = sink.emitted.map(([, startMs, endMs, key]) => `${startMs}|${endMs}|${key}`);
  expect(new Set(cells).size).toBe(cells.length);
}

const KINDS: {
  kind: PlainViewState['kind'];
  view: string;
  steps: Step[];
  counts: [Step[], number, number];
}[] = [
  {
    kind: 'tumbling',
    view: 'course_realtime_active_courses_1min',
    steps: [
      viewed(0),
      viewed(0.5, 'c-2'),
      viewed(1.2),
      at(1),
      viewed(1.5, 'c-3', 'u-2'),
      viewed(3),
      at(2),
      viewed(2.5),
    ],
    counts: [[viewed(0), viewed(0.5, 'c-2'), viewed(1.5)], 2, 3],
  },
  {
    kind: 'sliding',
    view: 'course_realtime_engagement_metrics',
    steps: [
      viewed(0),
      viewed(0.5, 'c-2'),
      viewed(2),
      at(3),
      viewed(4.5, 'c-3'),
      at(5),
      viewed(6),
      at(7),
      viewed(8, 'c-2'),
    ],
    counts: [[viewed(0), viewed(0.5, 'c-2'), viewed(1)], 2, 3],
  },
  {
    kind: 'session',
    view: 'auth_realtime_session_activity',
    // u-3's event at 29 min bridges its sessions at 20 and 38 min (gap 10 min).
    steps: [
      logout(0),
      logout(2, 'u-2'),
      logout(5),
      logout(30),
      at(16),
      logout(20, 'u-3'),
      logout(38, 'u-3'),
      logout(29, 'u-3'),
      at(35),
    ],
    counts: [[logout(0), logout(5), logout(0, 'u-2')], 2, 2],
  },
  {
    kind: 'join',
    view: 'notification_realtime_delivery_status',
    steps: [
      sent(0, 'n-1'),
      delivered(0.5, 'n-2'),
      sent(0.3, 'n-2'),
      delivered(10, 'n-1'),
      at(5),
      sent(6, 'n-3'),
      at(11),
      delivered(7, 'n-3'),
      sent(12, 'n-4'),
      at(20),
    ],
    counts: [[sent(0, 'n-1'), delivered(0.5, 'n-2')], 1, 2],
  },
];

describe.each(KINDS)(
  'the $kind store ($view)',
  ({ kind, view, steps, counts: [countSteps, windows, entries] }) => {
    it('is the store the view needs', () => {
      expect(createViewState(viewDefinition(view), GAP_MS).kind).toBe(kind);
    });

    it('continues after a snapshot and restore at any step exactly as without one', () => {
      assertSameAfterRestore(view, steps);
    });

    it('emits each final contribution once and holds nothing once the watermark is +∞', () => {
      assertEmitsOnceThenEmpty(view, steps);
    });

    it('counts its open windows and entries', () => {
      const store = createViewState(viewDefinition(view), GAP_MS);
      run(store, countSteps, new RecordingSink());
      expect(store.counts()).toEqual({ windows, entries });
    });
  },
);

describe('restoring a view state', () => {
  it('refuses a plain state of another kind, naming the view and both kinds', () => {
    const sliding = createViewState(viewDefinition('course_realtime_engagement_metrics'), GAP_MS);
    const tumblingView = viewDefinition('course_realtime_active_courses_1min');
    expect(() => createViewState(tumblingView, GAP_MS, sliding.asPlain())).toThrow(
      /course_realtime_active_courses_1min: snapshot holds sliding state, the view needs tumbling state/,
    );
  });
});
