/**
 * Session windows of one partition: key → its open sessions, sorted and at least `gapMs` apart. An event
 * at t joins every session whose span it overlaps (first − gap < t < last + gap), so a late event may
 * bridge two sessions into one. A session is final when the watermark reaches last + gap.
 */
import type { LmsEvent } from '../../events/types.ts';
import type { SessionDelta } from './view-delta.ts';
import type { SessionView } from './view-definition.ts';
import type { FinalSink, OpenSink, StoreCounts, WindowStore } from './window-store.ts';
import { isFinal, sessionEndMs } from './windows.ts';

export interface OpenSession {
  firstMs: number;
  lastMs: number;
  state: unknown;
}

export interface PlainSessionState {
  kind: 'session';
  sessions: [string, OpenSession[]][];
}

export class SessionStore implements WindowStore<PlainSessionState> {
  readonly kind = 'session';
  /** Keys whose sessions changed since the last peek; undefined before the first (nothing tracked). */
  private changedKeys: Set<string> | undefined;
  /** Cells (`key|first`) of sessions that merged into another or moved their start since the last peek. */
  private goneCells: string[] = [];
  /** Keys whose sessions changed since the last snapshot, once `trackDelta` asked. */
  private dirty: Set<string> | undefined;

  constructor(
    private readonly view: SessionView,
    private readonly gapMs: number,
    private readonly sessions = new Map<string, OpenSession[]>(),
    /** No open session ends before this (a lower bound: lets `close` skip the scan). */
    private earliestEndMs = Infinity,
  ) {}

  /** A store owning the sessions of `plain` (the first `close` scans them all). */
  static fromPlain(view: SessionView, gapMs: number, plain: PlainSessionState): SessionStore {
    return new SessionStore(view, gapMs, new Map(plain.sessions), -Infinity);
  }

  add(event: LmsEvent): void {
    const timeMs = event.event_time;
    const key = this.view.key(event);
    let open = this.sessions.get(key);
    if (open === undefined) this.sessions.set(key, (open = []));
    let joined: OpenSession | undefined;
    let index = 0;
    while (index < open.length) {
      const candidate = open[index]!;
      if (candidate.firstMs - this.gapMs >= timeMs) break; // sorted: no later session can overlap
      if (timeMs < sessionEndMs(candidate.lastMs, this.gapMs)) {
        if (joined === undefined) {
          joined = candidate;
        } else {
          this.view.aggregate.merge(joined.state, candidate.state); // the event bridges two sessions
          if (this.changedKeys !== undefined) this.goneCells.push(`${key}|${candidate.firstMs}`);
          joined.lastMs = candidate.lastMs;
          open.splice(index, 1);
          continue;
        }
      }
      index++;
    }
    if (joined === undefined) {
      joined = { firstMs: timeMs, lastMs: timeMs, state: this.view.aggregate.init() };
      let at = 0;
      while (at < open.length && open[at]!.firstMs < timeMs) at++;
      open.splice(at, 0, joined);
    }
    if (timeMs < joined.firstMs) {
      if (this.changedKeys !== undefined) this.goneCells.push(`${key}|${joined.firstMs}`);
      joined.firstMs = timeMs;
    }
    this.changedKeys?.add(key);
    this.dirty?.add(key);
    if (timeMs > joined.lastMs) joined.lastMs = timeMs;
    this.view.aggregate.add(joined.state, event);
    const endMs = sessionEndMs(joined.lastMs, this.gapMs);
    if (endMs < this.earliestEndMs) this.earliestEndMs = endMs;
  }

  close(watermarkMs: number, sink: FinalSink): void {
    if (!isFinal(this.earliestEndMs, watermarkMs)) return;
    let earliestEndMs = Infinity;
    for (const [key, open] of this.sessions) {
      let kept = 0;
      for (const session of open) {
        const endMs = sessionEndMs(session.lastMs, this.gapMs);
        if (isFinal(endMs, watermarkMs)) {
          sink.emit(session.firstMs, endMs, key, session.state);
        } else {
          open[kept++] = session;
          if (endMs < earliestEndMs) earliestEndMs = endMs;
        }
      }
      if (kept < open.length) this.dirty?.add(key);
      open.length = kept;
      if (kept === 0) this.sessions.delete(key);
    }
    this.earliestEndMs = earliestEndMs;
  }

  peekChanged(sink: OpenSink): void {
    const changed = this.changedKeys;
    this.changedKeys = new Set();
    for (const cell of this.goneCells) sink.gone(cell);
    this.goneCells = [];
    for (const key of changed ?? this.sessions.keys()) {
      for (const session of this.sessions.get(key) ?? []) {
        const endMs = sessionEndMs(session.lastMs, this.gapMs);
        sink.open(`${key}|${session.firstMs}`, session.firstMs, endMs, key, session.state);
      }
    }
  }

  forgetChanges(): void {
    this.changedKeys = undefined;
    this.goneCells = [];
  }

  trackDelta(): void {
    this.dirty = new Set();
  }

  asDelta(): SessionDelta {
    const dirty = this.dirty!;
    this.dirty = new Set();
    const sessions = [...dirty].map((key): [string, OpenSession[]] => [key, this.sessions.get(key) ?? []]);
    return { kind: 'session-delta', sessions };
  }

  asPlain(): PlainSessionState {
    return { kind: 'session', sessions: [...this.sessions] };
  }

  counts(): StoreCounts {
    let sessions = 0;
    for (const open of this.sessions.values()) sessions += open.length;
    return { windows: sessions, entries: sessions };
  }
}
