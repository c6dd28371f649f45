import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../src/events/record.ts';
import { JOB_TOPICS } from '../../src/events/topics.ts';
import { generateRecords } from '../../src/generator/generate-records.ts';
import { CommitLog } from '../../src/processor/io/checkpoint-store.ts';
import { JobCommitter } from '../../src/processor/io/commit.ts';
import { CompletionLoop } from '../../src/processor/runner/completion-loop.ts';
import { readFileSource } from '../../src/processor/io/partial-files.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import { DEFAULT_LAYOUT } from '../../src/storage/layout.ts';
import { testJobState } from './job-state-fixture.ts';
import { tempDir } from './temp-dir.ts';

/** A promise with its resolve, for holding a round or a put where the test wants it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('the completion loop', () => {
  it('runs one more round when asked while one runs, never two at once', async () => {
    const held = gate();
    let running = 0;
    let most = 0;
    let rounds = 0;
    const loop = new CompletionLoop(async () => {
      running++;
      most = Math.max(most, running);
      if (rounds++ === 0) await held.promise;
      running--;
    });

    loop.request();
    loop.request();
    loop.request();
    expect(loop.busy).toBe(true);
    held.open();
    await loop.idle();

    expect([rounds, most, loop.busy]).toEqual([2, 1, false]);
  });

  it('keeps a failed round and throws it once', async () => {
    const loop = new CompletionLoop(() => Promise.reject(new Error('S3 said no')));

    loop.request();
    await loop.idle();

    expect(() => loop.throwIfFailed()).toThrow('S3 said no');
    expect(() => loop.throwIfFailed()).not.toThrow();
  });
});

/** A file store whose puts of completion staging wait while `held` is set (slow storage under a round). */
class HoldingStore extends FileObjectStore {
  held: Promise<void> | undefined;
  override async put(key: string, body: Uint8Array): Promise<void> {
    if (this.held !== undefined && key.includes('/completion-staging/')) await this.held;
    return super.put(key, body);
  }
}

describe('completion beside the commits', () => {
  it('commits again while the previous commit’s completion round is held up', async () => {
    const store = new HoldingStore(tempDir('completion-beside-'));
    const state = testJobState(store, 'auth', 'w1');
    const topics = new Set<string>(JOB_TOPICS.auth);
    const records = [...generateRecords({ seed: 3, events: 2_000, users: 20 })].filter((r) =>
      topics.has(r.topic),
    );
    const partitions = [...new Set(records.map((r) => `${r.topic}:${r.partition}`))].map((id) => {
      const [topic, partition] = id.split(':');
      return { topic: topic!, partition: Number(partition) };
    });
    await state.reconcile(partitions, () => 0);
    for (const tracker of state.owned)
      state.process(
        tracker,
        records.filter((r) => r.topic === tracker.topic && r.partition === tracker.partition),
        0,
      );
    state.applyIdle(Date.UTC(2100, 0, 1)); // every window complete
    const slowStorage = gate();
    store.held = slowStorage.promise;

    await state.startCommit();
    expect((await state.settle())?.kind).toBe('committed'); // its completion round now waits on storage
    const tracker = state.owned[0]!;
    const bad: SourceRecord = { ...records[0]!, partition: tracker.partition, offset: tracker.nextOffset };
    state.process(tracker, [{ ...bad, topic: tracker.topic, value: 'not json' }], 0);
    await state.startCommit();
    const second = await state.settle();

    expect(second?.kind).toBe('committed');
    expect(state.completer.latest.completion).toBe(0);
    expect(state.completionWaiting).toBe(true);
    store.held = undefined;
    slowStorage.open();
    await state.completionIdle();
    expect(state.completer.latest.completion).toBeGreaterThanOrEqual(1);
    expect(await store.list(DEFAULT_LAYOUT.viewsPrefix)).not.toEqual([]);
  });
});

describe('W as of the commits a round has read', () => {
  it('takes wm(p) from the newest commit up to the bound, not from commits that arrived since', async () => {
    const store = new FileObjectStore(tempDir('completion-bound-'));
    const committer = new JobCommitter(store, { job: 'auth', writerId: 'w', minRetentionMs: 0 });
    await committer.recover([{ topic: 'lms.auth', partition: 0 }]);
    const snapshot = (watermarkMs: number) => ({
      topic: 'lms.auth',
      partition: 0,
      nextOffset: 1,
      state: new Uint8Array(),
      watermarkMs,
    });
    await committer.commit([snapshot(1_000)], []);
    await committer.commit([snapshot(5_000)], []);

    expect(committer.watermarkOf('lms.auth:0', 1)).toBe(1_000);
    expect(committer.watermarkOf('lms.auth:0', 2)).toBe(5_000);
    expect(committer.watermarkOf('lms.auth:0')).toBe(5_000);
    expect(new CommitLog(store, DEFAULT_LAYOUT, 'auth').watermarkOf('lms.auth:0', 2)).toBeUndefined();
  });
});

describe('reading a commit’s file while the commit publishes it', () => {
  it('finds the final copy made between a miss on the final key and a miss in staging', async () => {
    const store = new FileObjectStore(tempDir('file-source-'));
    await store.put('staging/x', Buffer.from('rows'));
    let gets = 0;
    const racing = Object.create(store) as FileObjectStore;
    racing.get = async (key: string) => {
      if (gets++ === 0) {
        const missed = await store.get(key); // not copied yet …
        await store.copy('staging/x', 'final/x'); // … then the commit copies and tidies up
        await store.deleteMany(['staging/x']);
        return missed;
      }
      return store.get(key);
    };

    const bytes = await readFileSource(racing, { key: 'final/x', staging: 'staging/x' });

    expect(bytes?.toString()).toBe('rows');
    expect(await readFileSource(store, { key: 'gone/x', staging: 'gone/y' })).toBeUndefined();
  });
});
