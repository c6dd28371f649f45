import { afterEach, describe, expect, it } from 'vitest';
import { readCommittedDeadLetters } from '../../src/processor/io/dead-letter-reader.ts';
import { readDeadLetters, type DeadLetter } from '../../src/processor/io/dead-letter.ts';
import { ndjsonLines, ndjsonParts } from '../../src/processor/io/ndjson-parts.ts';
import { RECORDS_FLUSH_MS } from '../../src/processor/runner/completer.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { DEFAULT_LAYOUT, pendingDeadLetterPrefix } from '../../src/storage/layout.ts';
import type { CopyResult } from '../../src/storage/object-store.ts';
import { FakeInstance, at, loginRow, refs, tempStore } from './query-fixture.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const PENDING = pendingDeadLetterPrefix(DEFAULT_LAYOUT);
const FLUSH_MS = 60_000;

function rejection(partition: number, offset: number): DeadLetter {
  return {
    topic: 'lms.auth',
    partition,
    offset,
    timestamp: at('08:00'),
    reason: 'invalid',
    message: 'not JSON',
    key: null,
    value: `bad ${partition}/${offset}`,
  };
}

const positions = (letters: readonly DeadLetter[]): string[] =>
  letters.map(({ partition, offset }) => `${partition}/${offset}`).sort();

/** A file store whose server-side copies fail while `failing` is set (a writer dying while it publishes). */
class FlakyCopyStore extends FileObjectStore {
  failing = false;
  override async copy(fromKey: string, toKey: string): Promise<CopyResult> {
    if (this.failing) throw new Error('copy failed');
    return super.copy(fromKey, toKey);
  }
}

/** One instance of auth owning every partition, on a clock the test moves; flush interval FLUSH_MS. */
async function instanceOnClock() {
  const { store, remove } = await tempStore();
  cleanups.push(remove);
  const clock = { ms: at('09:00') };
  const a = new FakeInstance(store, 'auth', 'a', refs('lms.auth', 0, 1, 2, 3, 4, 5), {
    flushIntervalMs: FLUSH_MS,
    nowMs: () => clock.ms,
  });
  return { store, a, clock };
}

describe('the flush policy of the dead-letter tree', () => {
  it('gathers the dead letters of several commits into one file per topic and date per records flush', async () => {
    const { store, a, clock } = await instanceOnClock();
    await a.commit(at('08:00'), {}, { deadLetters: [rejection(0, 1)] }); // first completion: due at once
    clock.ms += 1_000;
    await a.commit(at('08:00'), {}, { deadLetters: [rejection(0, 2), rejection(1, 7)] });
    clock.ms += 1_000;
    await a.commit(at('08:00'), {}, { deadLetters: [rejection(2, 9)] });

    expect(await store.list(DEFAULT_LAYOUT.deadLetterPrefix)).toHaveLength(1);
    expect(await store.list(PENDING)).toHaveLength(2); // waiting for the records flush
    expect(positions(await readCommittedDeadLetters(store, DEFAULT_LAYOUT))).toEqual(
      positions([rejection(0, 1), rejection(0, 2), rejection(1, 7), rejection(2, 9)]),
    );

    clock.ms += FLUSH_MS;
    const outcome = await a.completer.round();

    expect(outcome?.recordFiles).toEqual([
      { tree: 'dead_letter', dataset: 'lms.auth', bytes: expect.any(Number) },
    ]);
    expect(a.completer.latest.recordsThroughCommit).toBe(3);
    expect(await store.list(PENDING)).toEqual([]);
    const files = await store.list(DEFAULT_LAYOUT.deadLetterPrefix);
    expect(files).toHaveLength(2);
    expect(files.every((key) => key.startsWith('dead_letter/lms.auth/date=2025-01-06/auth-'))).toBe(true);
    expect(positions(await readDeadLetters(store, DEFAULT_LAYOUT.deadLetterPrefix))).toEqual(
      positions([rejection(0, 1), rejection(0, 2), rejection(1, 7), rejection(2, 9)]),
    );
  });

  it('gathers waiting records after RECORDS_FLUSH_MS without rows due, and moves no completion time', async () => {
    const { store, a, clock } = await instanceOnClock();
    await a.commit(at('08:00'), {}, { deadLetters: [rejection(0, 1)] }); // first completion: due at once
    const { completion, completedThroughMs } = a.completer.latest;
    clock.ms += 1_000;
    await a.commit(at('08:00'), {}, { deadLetters: [rejection(0, 2)] });

    clock.ms += RECORDS_FLUSH_MS - 2_000;
    expect(await a.completer.round()).toBeUndefined();
    expect(await store.list(PENDING)).toHaveLength(1);

    clock.ms += 1_000;
    const outcome = await a.completer.round();

    expect(outcome?.recordFiles).toEqual([
      { tree: 'dead_letter', dataset: 'lms.auth', bytes: expect.any(Number) },
    ]);
    expect(outcome?.rows).toBe(0);
    expect(a.completer.latest.completion).toBe(completion + 1);
    expect(a.completer.latest.completedThroughMs).toBe(completedThroughMs);
    expect(await store.list(PENDING)).toEqual([]);
  });

  it('still counts the rows that wait for the flush interval after gathering records alone', async () => {
    const { a, clock } = await instanceOnClock();
    await a.commit(at('08:00'), {}, { deadLetters: [rejection(0, 1)] }); // first completion: due at once
    const { completion } = a.completer.latest;
    clock.ms += 1_000;
    // A session complete at 08:10 waits for the flush interval: a later window is still open.
    const session = {
      session_start: at('08:00'),
      session_end: at('08:10'),
      user_id: 'u-1',
      events: 1,
      logins: 1,
      duration_seconds: 0,
      ended_by_logout: false,
    };
    await a.commit(
      at('08:15'),
      { auth_realtime_session_activity: [session], auth_realtime_login_rate: [loginRow('08:20', 1, 0)] },
      { deadLetters: [rejection(0, 2)] },
    );
    expect(a.completer.waiting).toBe(1);

    clock.ms += RECORDS_FLUSH_MS;
    const outcome = await a.completer.round();

    expect(outcome?.recordFiles).toHaveLength(1);
    expect(outcome?.rows).toBe(0);
    expect(a.completer.latest.completion).toBe(completion + 1);
    expect(a.completer.waiting).toBe(1); // the job is not settled while the session waits
  });

  it('gathers each dead letter once when two instances complete at the same moment', async () => {
    const { store, remove } = await tempStore();
    cleanups.push(remove);
    const a = new FakeInstance(store, 'auth', 'a', refs('lms.auth', 0, 1, 2));
    const b = new FakeInstance(store, 'auth', 'b', refs('lms.auth', 3, 4, 5));
    const noRound = { complete: false };
    await a.commit(at('08:10'), {}, { ...noRound, deadLetters: [rejection(0, 1)] });
    await b.commit(at('08:10'), {}, { ...noRound, deadLetters: [rejection(3, 1), rejection(4, 2)] });
    await a.commit(at('08:10'), {}, { ...noRound, deadLetters: [rejection(1, 5)] });

    await Promise.all([a.completer.round(true), b.completer.round(true)]);
    await Promise.all([a.completer.round(true), b.completer.round(true)]);

    const expected = positions([rejection(0, 1), rejection(3, 1), rejection(4, 2), rejection(1, 5)]);
    expect(positions(await readDeadLetters(store, DEFAULT_LAYOUT.deadLetterPrefix))).toEqual(expected);
    expect(await store.list(PENDING)).toEqual([]);
  });

  it('keeps each dead letter once when the gathering writer dies after its record', async () => {
    const { root, remove } = await tempStore();
    cleanups.push(remove);
    const store = new FlakyCopyStore(root);
    const a = new FakeInstance(store, 'auth', 'a', refs('lms.auth', 0, 1, 2));
    const b = new FakeInstance(store, 'auth', 'b', refs('lms.auth', 3, 4, 5));
    const noRound = { complete: false };
    await a.commit(at('08:10'), {}, { ...noRound, deadLetters: [rejection(0, 1)] });
    await b.commit(at('08:10'), {}, { ...noRound, deadLetters: [rejection(3, 4)] });
    await a.commit(at('08:10'), {}, noRound); // a has read b's commit

    store.failing = true;
    await expect(a.completer.round(true)).rejects.toThrow('copy failed'); // record written, nothing copied
    store.failing = false;
    const expected = positions([rejection(0, 1), rejection(3, 4)]);
    expect(await store.list(PENDING)).toHaveLength(2); // a died before deleting them
    expect(positions(await readCommittedDeadLetters(store, DEFAULT_LAYOUT))).toEqual(expected);

    await b.commit(at('08:11'), {}, noRound);
    await b.completer.round(true); // finishes a's completion, and tidies what it left

    expect(positions(await readDeadLetters(store, DEFAULT_LAYOUT.deadLetterPrefix))).toEqual(expected);
    expect(await store.list(PENDING)).toEqual([]);
  });
});

describe('reading committed dead letters', () => {
  it('reads a record found gathered and still pending once, and keeps those without a Kafka position', async () => {
    const { store, remove } = await tempStore();
    cleanups.push(remove);
    const line = (letter: object): string => `${JSON.stringify(letter)}\n`;
    const http = { ...rejection(0, 0), partition: null, offset: null, source: 'http' };
    await store.put(
      'dead_letter/lms.auth/date=2025-01-06/auth-000000000001.ndjson',
      Buffer.from(line(rejection(0, 1)) + line(http)),
    );
    await store.put(
      `${PENDING}lms.auth/date=2025-01-06/auth-000000000003.ndjson`,
      Buffer.from(line(rejection(0, 1)) + line(rejection(0, 2)) + line(http)),
    );

    const letters = await readCommittedDeadLetters(store, DEFAULT_LAYOUT);

    expect(letters.map(({ offset }) => offset)).toEqual([1, null, 2, null]);
  });
});

describe('NDJSON parts', () => {
  it('packs lines into objects below the limit, a longer line alone, in order', () => {
    const lines = ['aaaa', 'bb', 'cccccccccc', 'd'].map((text) => Buffer.from(text));

    const parts = ndjsonParts('dead_letter/t/date=2025-01-06', lines, 8);

    expect(parts.map((part) => part.extension)).toEqual(['ndjson', 'p0001.ndjson', 'p0002.ndjson']);
    expect(parts.map((part) => Buffer.from(part.body).toString())).toEqual([
      'aaaa\nbb\n',
      'cccccccccc\n',
      'd\n',
    ]);
    expect(
      parts.flatMap((part) => ndjsonLines(part.body).map((line) => Buffer.from(line).toString())),
    ).toEqual(['aaaa', 'bb', 'cccccccccc', 'd']);
  });
});
