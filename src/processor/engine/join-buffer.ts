/**
 * Interval-join state of one partition. Left events wait in their window (tumbling window of the left
 * time, per group key) and in an index by match key; right event times wait in an index by match key
 * for left events that arrive after them. A right event older than the watermark can match no future
 * left event (a left at t >= wm needs right >= t), so it is forgotten; a window is final, and its left
 * events folded into the aggregate, when the watermark reaches window end + bound.
 */
import type { LmsEvent } from '../../events/types.ts';
import type { JoinDelta } from './view-delta.ts';
import type { JoinView } from './view-definition.ts';
import type { FinalSink, OpenSink, StoreCounts, WindowStore } from './window-store.ts';
import { isFinal, windowStartMs } from './windows.ts';

/** Sweep right-event times at most once per this much watermark progress. */
const SWEEP_EVERY_MS = 60_000;

/** A group's left events since the last snapshot: its length then, and which of those found a match. */
interface GroupChange {
  baseLength: number;
  matched: Set<PendingLeft>;
}

export interface PendingLeft {
  timeMs: number;
  matchKey: string;
  /** Delay to the earliest matching right event, -1 while there is none. */
  delayMs: number;
  /** The group key it counts under (a match changes that group's cell); set on restore when missing. */
  groupKey: string;
}

export interface PlainJoinState {
  kind: 'join';
  /** [window start, group key, left events of that window and key] */
  lefts: [number, string, PendingLeft[]][];
  /** [match key, right event times] */
  rights: [string, number[]][];
}

export class JoinBuffer implements WindowStore<PlainJoinState> {
  readonly kind = 'join';
  /** window start → group key → left events of that window and key. */
  private readonly windows = new Map<number, Map<string, PendingLeft[]>>();
  private readonly leftsByMatch = new Map<string, PendingLeft[]>();
  private lastSweepMs = -Infinity;
  /** Windows whose lefts or their matches changed since the last peek; undefined before the first. */
  private changed: Set<number> | undefined;
  /** Groups (window start → group keys) whose lefts changed, and match keys whose right times changed, since the last snapshot. */
  private dirty: { lefts: Map<number, Map<string, GroupChange>>; rights: Set<string> } | undefined;

  constructor(
    private readonly view: JoinView,
    private readonly rightsByMatch = new Map<string, number[]>(),
  ) {}

  /** A buffer owning the events of `plain`. */
  static fromPlain(view: JoinView, plain: PlainJoinState): JoinBuffer {
    const buffer = new JoinBuffer(view, new Map(plain.rights));
    for (const [startMs, key, list] of plain.lefts) for (const left of list) buffer.index(left, startMs, key);
    return buffer;
  }

  add(event: LmsEvent): void {
    if (event.event_type === this.view.leftType) this.addLeft(event);
    else this.addRight(event);
  }

  peekChanged(sink: OpenSink): void {
    const changed = this.changed;
    this.changed = new Set();
    for (const [startMs, groups] of this.windows) {
      if (changed !== undefined && !changed.has(startMs)) continue;
      const endMs = startMs + this.view.window.sizeMs;
      for (const [groupKey, lefts] of groups) {
        const state = this.view.aggregate.init();
        for (const left of lefts) this.view.aggregate.add(state, left.delayMs);
        sink.open(`${startMs}|${groupKey}`, startMs, endMs, groupKey, state);
      }
    }
  }

  forgetChanges(): void {
    this.changed = undefined;
  }

  private addLeft(event: LmsEvent): void {
    const timeMs = event.event_time;
    const matchKey = this.view.leftMatchKey(event);
    let delayMs = -1;
    for (const rightMs of this.rightsByMatch.get(matchKey) ?? []) {
      if (
        rightMs >= timeMs &&
        rightMs - timeMs <= this.view.boundMs &&
        (delayMs < 0 || rightMs - timeMs < delayMs)
      ) {
        delayMs = rightMs - timeMs;
      }
    }
    const groupKey = this.view.key(event);
    const left: PendingLeft = { timeMs, matchKey, delayMs, groupKey };
    const startMs = windowStartMs(this.view.window, timeMs);
    if (this.dirty !== undefined) this.groupChange(startMs, groupKey); // before the append
    this.index(left, startMs, groupKey);
    this.changed?.add(startMs);
  }

  /** Files a left event under its window and match key. */
  private index(left: PendingLeft, startMs: number, groupKey: string): void {
    left.groupKey = groupKey;
    let groups = this.windows.get(startMs);
    if (groups === undefined) this.windows.set(startMs, (groups = new Map()));
    const inGroup = groups.get(groupKey);
    if (inGroup === undefined) groups.set(groupKey, [left]);
    else inGroup.push(left);
    const sameMatch = this.leftsByMatch.get(left.matchKey);
    if (sameMatch === undefined) this.leftsByMatch.set(left.matchKey, [left]);
    else sameMatch.push(left);
  }

  private addRight(event: LmsEvent): void {
    const rightMs = event.event_time;
    const matchKey = this.view.rightMatchKey(event);
    for (const left of this.leftsByMatch.get(matchKey) ?? []) {
      const delayMs = rightMs - left.timeMs;
      if (delayMs >= 0 && delayMs <= this.view.boundMs && (left.delayMs < 0 || delayMs < left.delayMs)) {
        left.delayMs = delayMs;
        const startMs = windowStartMs(this.view.window, left.timeMs);
        this.changed?.add(startMs);
        if (this.dirty !== undefined) this.groupChange(startMs, left.groupKey).matched.add(left);
      }
    }
    this.dirty?.rights.add(matchKey);
    const times = this.rightsByMatch.get(matchKey);
    if (times === undefined) this.rightsByMatch.set(matchKey, [rightMs]);
    else times.push(rightMs);
  }

  close(watermarkMs: number, sink: FinalSink): void {
    for (const [startMs, groups] of this.windows) {
      const endMs = startMs + this.view.window.sizeMs;
      if (!isFinal(endMs + this.view.boundMs, watermarkMs)) continue; // a window waits `boundMs` for rights
      for (const [groupKey, lefts] of groups) {
        const state = this.view.aggregate.init();
        for (const left of lefts) {
          this.view.aggregate.add(state, left.delayMs);
          this.unindex(left);
        }
        sink.emit(startMs, endMs, groupKey, state);
      }
      this.windows.delete(startMs);
      this.dirty?.lefts.delete(startMs);
    }
    this.forgetOldRights(watermarkMs);
  }

  private unindex(left: PendingLeft): void {
    const sameMatch = this.leftsByMatch.get(left.matchKey)!;
    const remaining = sameMatch.filter((other) => other !== left);
    if (remaining.length === 0) this.leftsByMatch.delete(left.matchKey);
    else this.leftsByMatch.set(left.matchKey, remaining);
  }

  private forgetOldRights(watermarkMs: number): void {
    if (watermarkMs < this.lastSweepMs + SWEEP_EVERY_MS) return;
    this.lastSweepMs = watermarkMs;
    for (const [matchKey, times] of this.rightsByMatch) {
      const kept = times.filter((timeMs) => timeMs >= watermarkMs);
      if (kept.length < times.length) this.dirty?.rights.add(matchKey);
      if (kept.length === 0) this.rightsByMatch.delete(matchKey);
      else if (kept.length < times.length) this.rightsByMatch.set(matchKey, kept);
    }
  }

  trackDelta(): void {
    this.dirty = { lefts: new Map(), rights: new Set() };
  }

  /** The group's changes since the last snapshot; the first change notes the group's length then. */
  private groupChange(startMs: number, groupKey: string): GroupChange {
    const groups = this.dirty!.lefts;
    let changes = groups.get(startMs);
    if (changes === undefined) groups.set(startMs, (changes = new Map()));
    let change = changes.get(groupKey);
    if (change === undefined) {
      const baseLength = this.windows.get(startMs)?.get(groupKey)?.length ?? 0;
      changes.set(groupKey, (change = { baseLength, matched: new Set() }));
    }
    return change;
  }

  asDelta(): JoinDelta {
    const { lefts: groups, rights } = this.dirty!;
    this.dirty = { lefts: new Map(), rights: new Set() };
    const lefts: JoinDelta['lefts'] = [];
    for (const [startMs, changes] of groups) {
      const window = this.windows.get(startMs)!;
      for (const [key, { baseLength, matched }] of changes) {
        const list = window.get(key)!;
        const delays: [number, number][] = [];
        if (matched.size > 0)
          for (let index = 0; index < baseLength; index++)
            if (matched.has(list[index]!)) delays.push([index, list[index]!.delayMs]);
        lefts.push([startMs, key, baseLength, list.slice(baseLength), delays]);
      }
    }
    return {
      kind: 'join-delta',
      open: [...this.windows.keys()],
      lefts,
      rights: [...rights].map((key): [string, number[]] => [key, this.rightsByMatch.get(key) ?? []]),
    };
  }

  asPlain(): PlainJoinState {
    const lefts: PlainJoinState['lefts'] = [];
    for (const [startMs, groups] of this.windows)
      for (const [key, list] of groups) lefts.push([startMs, key, list]);
    return { kind: 'join', lefts, rights: [...this.rightsByMatch] };
  }

  counts(): StoreCounts {
    let entries = 0;
    for (const times of this.rightsByMatch.values()) entries += times.length;
    for (const lefts of this.leftsByMatch.values()) entries += lefts.length;
    return { windows: this.windows.size, entries };
  }
}
