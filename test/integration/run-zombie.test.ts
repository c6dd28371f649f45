/**
 * A zombie: two `run` instances of one job share its partitions; one is
 * paused (SIGSTOP) past its session timeout, the other adopts its partitions and commits them; then the
 * paused one resumes (SIGCONT). Its next commit must be fenced — nothing it wrote while it was a zombie
 * becomes visible — unless the group tells it first that its partitions moved (it revokes them) or it
 * exits cleanly. Plain readers still get exactly the oracle's rows, none twice. No timing is asserted.
 */
import { describe, expect, inject, it, onTestFailed } from 'vitest';
import { VIEW_SPECS } from '../../src/events/view-catalog.ts';
import { differences } from '../../src/events/view-result.ts';
import type { CompletenessDocument } from '../../src/processor/io/completeness-document.ts';
import type { JobHealth } from '../../src/processor/runtime/http-server.ts';
import { CommitLog } from '../../src/processor/io/checkpoint-store.ts';
import { completenessKey } from '../../src/storage/layout.ts';
import { duckdbArchive, expectedArchive } from './duckdb-archive.ts';
import { spawnRunner, type LogLine, type RunnerChild } from './run-child.ts';
import {
  createFixture,
  oracleResult,
  produceBackfill,
  readBack,
  readerResult,
  waitFor,
  type RunFixture,
  SETTLE_TIMEOUT_MS,
  START_TIMEOUT_MS,
} from './run-fixture.ts';
import './stack-context.ts';

const endpoints = inject('stack');

const JOB = 'auth';
const PARTITIONS = 4;
const USERS = 800;
const RATE_PER_S = 300;
const MAX_RECORDS = 60_000;
const WATERMARK_DELAY_MS = 120_000;
/** As run-scale-out.test.ts: windows final at the end, no closed date to compact. */
const EVENTS_END_AGO_MS = 30 * 60_000;
/** The fixture's session timeout is 6 s (the broker's minimum): the pause outlasts it by far. */
const FLAGS = { idleTimeout: '20s', flushInterval: '5s' };

const isChange = (line: LogLine): boolean =>
  line.msg === 'partitions adopted' || line.msg === 'partitions revoked';

/** The partitions an instance owns by its log (up to `untilMs`). */
function ownedBy(child: RunnerChild, untilMs = Infinity): Set<string> {
  const owned = new Set<string>();
  for (const line of child.logLines().filter((l) => l.time <= untilMs)) {
    if (line.msg === 'partitions adopted')
      for (const where of line.partitions as string[]) owned.add(where.slice(0, where.lastIndexOf('@')));
    else if (line.msg === 'partitions revoked')
      for (const partition of line.partitions as string[]) owned.delete(partition);
  }
  return owned;
}

const checkpointsSince = (child: RunnerChild, sinceMs: number): number =>
  child.logLines().filter((line) => line.msg === 'checkpoint' && line.time >= sinceMs).length;

const lastChangeMs = (child: RunnerChild): number =>
  child.logLines().filter(isChange).at(-1)?.time ?? -Infinity;

async function lagOf(child: RunnerChild): Promise<number | null> {
  const url = child.httpUrl();
  if (url === undefined || child.process.exitCode !== null) return 0;
  const body = (await (await fetch(`${url}/healthz`)).json()) as { jobs: Record<string, JobHealth> };
  return body.jobs[JOB]?.lag ?? null;
}

/** The least `complete_through` of the job's views (what plain readers go by). */
async function completeThroughMs(fixture: RunFixture): Promise<number> {
  let leastMs = Infinity;
  for (const { name } of VIEW_SPECS.filter((spec) => spec.job === JOB)) {
    const body = await fixture.store.get(completenessKey(fixture.layout, name));
    const through =
      body === undefined
        ? null
        : (JSON.parse(body.toString('utf8')) as CompletenessDocument).complete_through;
    leastMs = Math.min(leastMs, through === null ? -Infinity : Date.parse(through));
  }
  return leastMs;
}

describe('a zombie instance', () => {
  it('is fenced when it resumes after its partitions moved, and nothing it wrote is visible', async () => {
    const fixture = await createFixture(endpoints, { partitions: PARTITIONS });
    let written = 0;
    const stopProducer = new AbortController();
    const producing = produceBackfill(endpoints, fixture, MAX_RECORDS, USERS, {
      topics: ['lms.auth'],
      ratePerS: RATE_PER_S,
      signal: stopProducer.signal,
      onWritten: (records) => (written = records),
      endsAgoMs: EVENTS_END_AGO_MS,
    });
    producing.catch(() => undefined); // awaited below

    const zombie = spawnRunner(endpoints, fixture, [JOB], FLAGS);
    await waitFor(
      'the first instance to own every partition and commit',
      () => ownedBy(zombie).size === PARTITIONS && zombie.checkpoints() >= 3 && written > 0,
      START_TIMEOUT_MS,
    );
    const adopter = spawnRunner(endpoints, fixture, [JOB], FLAGS);
    onTestFailed(() => {
      for (const [name, child] of [
        ['zombie', zombie],
        ['adopter', adopter],
      ] as const)
        process.stderr.write(`[zombie] ${name}'s log:\n${child.output()}\n`);
    });
    await waitFor(
      'both instances to share the partitions and commit since the split',
      () =>
        ownedBy(zombie).size > 0 &&
        ownedBy(adopter).size > 0 &&
        ownedBy(zombie).size + ownedBy(adopter).size === PARTITIONS &&
        checkpointsSince(zombie, lastChangeMs(zombie)) >= 2 &&
        checkpointsSince(adopter, lastChangeMs(adopter)) >= 2,
      START_TIMEOUT_MS,
    );

    // Paused past its session timeout: the group drops it and the adopter takes its partitions over.
    const zombieOwned = [...ownedBy(zombie)];
    const pausedAtMs = Date.now();
    zombie.process.kill('SIGSTOP');
    // The adopter has committed every one of them since the pause: the newest commit holding each was
    // created after it (the paused instance writes nothing meanwhile).
    const log = new CommitLog(fixture.store, fixture.layout, JOB);
    let adoptersFirst = Infinity;
    await waitFor(
      "the adopter to own the paused instance's partitions and commit each of them",
      async () => {
        if (!zombieOwned.every((partition) => ownedBy(adopter).has(partition))) return false;
        await log.sync();
        const newest = zombieOwned.map((partition) => log.newestHolding(partition));
        if (newest.some((commit) => commit === undefined)) return false;
        const created = await Promise.all(
          newest.map(async (commit) => (await log.read(commit!))?.createdAtMs),
        );
        if (!created.every((atMs) => atMs !== undefined && atMs > pausedAtMs)) return false;
        adoptersFirst = Math.min(...(newest as number[]));
        return true;
      },
      SETTLE_TIMEOUT_MS,
    );
    const resumedAtMs = Date.now();
    zombie.process.kill('SIGCONT');

    // On resuming it either commits first (and is fenced), learns from the group that it lost its
    // partitions first (and revokes them), or exits.
    const isGivingUp = (line: LogLine): boolean =>
      line.time >= resumedAtMs &&
      (line.code === 'fenced' ||
        (line.msg === 'partitions revoked' &&
          zombieOwned.some((partition) => (line.partitions as string[]).includes(partition))));
    await waitFor(
      'the resumed instance to be fenced, to give its partitions up, or to exit',
      () => zombie.process.exitCode !== null || zombie.logLines().some(isGivingUp),
      SETTLE_TIMEOUT_MS,
    );
    // Up to that point no commit of its own took a number after the adopter's first (a checkpoint line is
    // logged when the outcome is taken, so a commit that was durable before the pause may be logged after
    // the resume: its number is lower).
    const gaveUp = zombie.logLines().find(isGivingUp);
    const untilMs = gaveUp?.time ?? Infinity;
    const staleCommits = zombie
      .logLines()
      .filter(
        (line) =>
          line.msg === 'checkpoint' &&
          line.time >= resumedAtMs &&
          line.time <= untilMs &&
          (line.commit as number) >= adoptersFirst,
      );
    expect(staleCommits).toEqual([]);
    process.stderr.write(
      `[zombie] paused owning ${zombieOwned.join(', ')}; the adopter committed them from commit ` +
        `${adoptersFirst}; resumed: ${gaveUp === undefined ? 'exited' : gaveUp.msg}\n`,
    );
    if (gaveUp === undefined) expect((await zombie.exited).code).toBe(0);
    else if (gaveUp.code === 'fenced') {
      expect(gaveUp.msg).toMatch(/another writer committed partitions this writer held/);
      expect(zombieOwned.some((partition) => gaveUp.msg.includes(`${partition} (commit `))).toBe(true);
    }

    // Let the group settle again (the resumed instance rejoins or has exited), then end the input.
    await waitFor(
      'the instances to own every partition once and commit since',
      () => {
        const alive = [zombie, adopter].filter((child) => child.process.exitCode === null);
        const owned = alive.flatMap((child) => [...ownedBy(child)]);
        return (
          new Set(owned).size === PARTITIONS &&
          owned.length === PARTITIONS &&
          alive.every((child) => checkpointsSince(child, Math.max(lastChangeMs(child), resumedAtMs)) >= 1)
        );
      },
      SETTLE_TIMEOUT_MS,
    );
    stopProducer.abort();
    const produced = await producing;
    const producedAtMs = Date.now();
    await waitFor(
      'the instances caught up and the views complete',
      async () =>
        (await completeThroughMs(fixture)) >= producedAtMs + 5_000 - WATERMARK_DELAY_MS &&
        (await Promise.all([zombie, adopter].map(lagOf))).every((lag) => lag === 0),
      SETTLE_TIMEOUT_MS,
    );
    for (const child of [zombie, adopter]) child.process.kill('SIGTERM');
    const exits = await Promise.all([zombie.exited, adopter.exited]);
    expect(exits.map((exit) => exit.code)).toEqual([0, 0]);

    // The zombie gave up what the adopter holds: no partition owned by both.
    const both = [...ownedBy(zombie)].filter((partition) => ownedBy(adopter).has(partition));
    expect(both).toEqual([]);
    // Plain readers get exactly the oracle's rows (a row published twice would show up twice).
    const records = await readBack(endpoints, fixture);
    expect(records).toHaveLength(produced);
    const [expected, actual] = [await oracleResult(records), await readerResult(fixture)];
    const reasons = (result: typeof actual): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const { reason } of result.rejected) counts[reason] = (counts[reason] ?? 0) + 1;
      return counts;
    };
    onTestFailed(() => {
      const [got, want] = [JSON.stringify(reasons(actual)), JSON.stringify(reasons(expected))];
      process.stderr.write(`[zombie] rejected by reason: published ${got}, oracle ${want}\n`);
    });
    expect(differences(actual, expected, 10)).toEqual([]);
    expect(await duckdbArchive(fixture.store, fixture.layout)).toEqual(expectedArchive(records, expected));
  });
});
