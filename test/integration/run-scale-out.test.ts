/**
 * Scale-out as users do it: one job (`video`, the busiest) on 12-partition topics, instances added and
 * removed while a live producer feeds records — 1 → 3 instances, then one of the three SIGKILLed (2 left).
 * Each partition's state moves through the checkpoints (one log per partition group), and what plain
 * readers get equals the oracle.
 * Prints the pause per rebalance and the memory of instances owning 12, 4 and 6 partitions
 * (docs/deployment.md "Sizing" quotes them); asserts no time bound: a busy machine fails any.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it, onTestFailed } from 'vitest';
import type { JobHealth } from '../../src/processor/runtime/http-server.ts';
import { VIEW_SPECS } from '../../src/events/view-catalog.ts';
import type { CompletenessDocument } from '../../src/processor/io/completeness-document.ts';
import { completenessKey } from '../../src/storage/layout.ts';
import { differences } from '../../src/events/view-result.ts';
import { spawnRunner, type RunnerChild } from './run-child.ts';
import {
  createFixture,
  oracleResult,
  produceBackfill,
  readerResult,
  readBack,
  waitFor,
  type RunFixture,
  START_TIMEOUT_MS,
  SETTLE_TIMEOUT_MS,
} from './run-fixture.ts';
import { duckdbArchive, expectedArchive } from './duckdb-archive.ts';
import './stack-context.ts';

const endpoints = inject('stack');

const JOB = 'video';
const PARTITIONS = 12;
const USERS = 2400;
/** The live producer: this many records per second until the last scale step is done, at most MAX_RECORDS. */
const RATE_PER_S = 800;
const MAX_RECORDS = 80_000;
const WATERMARK_DELAY_MS = 120_000;
/**
 * The simulated events end 30 min before the producer starts (and span about 20 min): late enough for the
 * idle rule to finalise every window and session at the end, and too recent for any UTC date they fall on
 * to be closed (an hour past its end) then, so the end of the test never overlaps the compaction of a
 * closed date, whatever the time of day.
 */
const EVENTS_END_AGO_MS = 30 * 60_000;
/**
 * Besides the fixture's flags. The idle timeout is longer than any stall of the live producer can be: a
 * partition found idle while records still come would move its watermark to now − D and judge the rest
 * of its records late, which the oracle (end of input = +∞) does not. Completeness moves every 5 s rather
 * than every minute, so the end of the test need not wait for the default flush interval.
 */
/**
 * Three commit groups (a log per partition group, docs/storage.md "Commit groups"): with round-robin
 * assignment each of the three instances holds one group's four partitions, and the moves of the 1 → 3 → 2
 * steps go through the groups' logs. The other multi-instance tests run the one shared log.
 */
const FLAGS = { idleTimeout: '20s', flushInterval: '5s', commitGroups: '3' };

interface Instance {
  name: string;
  child: RunnerChild;
  /** When it was SIGKILLed or stopped: its partitions' stays end then at the latest. */
  endMs?: number;
}

/** One partition's stay on an instance: adopted at `offset` at `fromMs`, until revoked or the instance ended. */
interface Stay {
  instance: string;
  partition: string;
  offset: number;
  fromMs: number;
  toMs: number;
}

/** A partition moving from one stay to the next, through the checkpoints. */
interface Handover {
  partition: string;
  from: string;
  to: string;
  offset: number;
  adoptedAtMs: number;
  /** The old owner's last checkpoint before the move. */
  lastCommitMs: number;
  /** The new owner's first checkpoint after adopting. */
  firstCommitMs: number;
}

function staysOf(instance: Instance): Stay[] {
  const open = new Map<string, Stay>();
  const stays: Stay[] = [];
  const close = (partition: string, atMs: number): void => {
    const stay = open.get(partition);
    if (stay !== undefined) stay.toMs = atMs;
    open.delete(partition);
  };
  for (const line of instance.child.logLines()) {
    if (line.msg === 'partitions adopted') {
      for (const where of line.partitions as string[]) {
        const [partition, offset] = where.split('@') as [string, string];
        close(partition, line.time); // re-adopted after a fence: a new stay
        const stay = {
          instance: instance.name,
          partition,
          offset: Number(offset),
          fromMs: line.time,
          toMs: Infinity,
        };
        open.set(partition, stay);
        stays.push(stay);
      }
    } else if (line.msg === 'partitions revoked') {
      for (const partition of line.partitions as string[]) close(partition, line.time);
    }
  }
  for (const stay of open.values()) stay.toMs = instance.endMs ?? Infinity;
  return stays;
}

const checkpointTimes = (instance: Instance): number[] =>
  instance.child
    .logLines()
    .filter((line) => line.msg === 'checkpoint')
    .map((line) => line.time);

/** The partitions an instance owns now, by its log. */
const ownedBy = (instance: Instance): string[] =>
  staysOf(instance)
    .filter((stay) => stay.toMs === Infinity)
    .map((stay) => stay.partition);

/** Checkpoints an instance logged since its last change of ownership. */
function checkpointsSinceRebalance(instance: Instance): number {
  const changes = instance.child
    .logLines()
    .filter((line) => line.msg === 'partitions adopted' || line.msg === 'partitions revoked');
  const sinceMs = changes.at(-1)?.time ?? Infinity;
  return checkpointTimes(instance).filter((timeMs) => timeMs > sinceMs).length;
}

function handovers(instances: readonly Instance[]): Handover[] {
  const commits = new Map(instances.map((instance) => [instance.name, checkpointTimes(instance)]));
  const stays = instances.flatMap(staysOf).sort((a, b) => a.fromMs - b.fromMs);
  const previous = new Map<string, Stay>();
  const moves: Handover[] = [];
  for (const stay of stays) {
    const before = previous.get(stay.partition);
    previous.set(stay.partition, stay);
    if (before === undefined) continue;
    const untilMs = Math.min(before.toMs, stay.fromMs);
    const lastMs = Math.max(...commits.get(before.instance)!.filter((timeMs) => timeMs <= untilMs));
    const firstMs = Math.min(...commits.get(stay.instance)!.filter((timeMs) => timeMs >= stay.fromMs));
    moves.push({
      partition: stay.partition,
      from: before.instance,
      to: stay.instance,
      offset: stay.offset,
      adoptedAtMs: stay.fromMs,
      lastCommitMs: lastMs,
      firstCommitMs: firstMs,
    });
  }
  return moves;
}

/**
 * How long an instance that stays in the group stops committing when its ownership changes in
 * [fromMs, toMs) (the eager protocol stops every member): from its last checkpoint before the first change
 * to its first checkpoint after the last one.
 */
function stallMs(instance: Instance, fromMs: number, toMs: number): number {
  const changes = instance.child
    .logLines()
    .filter((line) => line.msg === 'partitions adopted' || line.msg === 'partitions revoked')
    .map((line) => line.time)
    .filter((timeMs) => timeMs >= fromMs && timeMs < toMs);
  if (changes.length === 0) return 0;
  const times = checkpointTimes(instance);
  const lastMs = Math.max(...times.filter((timeMs) => timeMs <= changes[0]!));
  const firstMs = Math.min(...times.filter((timeMs) => timeMs >= changes.at(-1)!));
  return firstMs - lastMs;
}

/** `retried/all` checkpoints in [fromMs, toMs) that lost the race for a commit number at least once. */
function retriedCommits(instances: readonly Instance[], fromMs: number, toMs: number): string {
  const lines = instances
    .flatMap((instance) => instance.child.logLines())
    .filter((line) => line.msg === 'checkpoint' && line.time >= fromMs && line.time < toMs);
  return `${lines.filter((line) => (line.attempts as number) > 1).length}/${lines.length}`;
}

interface Memory {
  instance: string;
  partitions: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** The engine's approximate state (`speed_layer_state_bytes`, refreshed every 10 s), summed over views. */
  stateMiB: number;
}

/** The sum of a Prometheus series' samples (every label set) in a /metrics text. */
function metricSum(text: string, name: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function memoryOf(instance: Instance): Promise<Memory> {
  const text = await (await fetch(`${instance.child.httpUrl()!}/metrics`)).text();
  const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
  return {
    instance: instance.name,
    partitions: ownedBy(instance).length,
    rssMiB: mib(metricSum(text, 'process_resident_memory_bytes')),
    heapUsedMiB: mib(metricSum(text, 'nodejs_heap_size_used_bytes')),
    stateMiB: mib(metricSum(text, 'speed_layer_state_bytes')),
  };
}

/** The least `complete_through` of the job's views' `_completeness.json` (what plain readers go by). */
async function publishedCompleteThroughMs(fixture: RunFixture): Promise<number> {
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

async function lagOf(instance: Instance): Promise<number | null> {
  const url = instance.child.httpUrl();
  if (url === undefined) return null;
  const body = (await (await fetch(`${url}/healthz`)).json()) as { jobs: Record<string, JobHealth> };
  return body.jobs[JOB]?.lag ?? null;
}

/** On failure: every instance's output in a directory named on stderr (the stack's data is deleted). */
function keepLogs(fixture: RunFixture, instances: readonly Instance[]): void {
  const dir = join(tmpdir(), `scale-out-${fixture.id}`);
  mkdirSync(dir, { recursive: true });
  for (const instance of instances) writeFileSync(join(dir, `${instance.name}.log`), instance.child.output());
  process.stderr.write(`[scale-out] the instances' logs: ${dir}\n`);
}

function spawnInstance(fixture: RunFixture, name: string): Instance {
  return { name, child: spawnRunner(endpoints, fixture, [JOB], FLAGS) };
}

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** The pause of the moved partitions: old owner's last checkpoint → adopted → new owner's first checkpoint. */
function describePauses(step: string, moves: readonly Handover[]): string {
  const timed = moves.filter((move) => Number.isFinite(move.firstCommitMs - move.lastCommitMs));
  const pauses = timed.map((move) => move.firstCommitMs - move.lastCommitMs);
  const toAdoption = timed.map((move) => move.adoptedAtMs - move.lastCommitMs);
  const toCommit = timed.map((move) => move.firstCommitMs - move.adoptedAtMs);
  return (
    `${step}: ${moves.length} partition moves, pause (old owner's last checkpoint → new owner's first) median ` +
    `${median(pauses)} ms, max ${Math.max(...pauses)} ms (→ adopted: median ${median(toAdoption)} ms; ` +
    `adopted → first checkpoint: median ${median(toCommit)} ms)`
  );
}

const describeMemory = (memory: Memory): string =>
  `${memory.instance} ${memory.partitions} partitions: RSS ${memory.rssMiB} MiB, heap ${memory.heapUsedMiB} MiB, ` +
  `state ${memory.stateMiB} MiB`;

describe('scale-out of one job over 12 partitions', () => {
  it('publishes the oracle views while instances go 1 → 3 → 2 (one SIGKILLed) under a live producer', async () => {
    const fixture = await createFixture(endpoints, { partitions: PARTITIONS });
    let written = 0;
    let producerDone = false;
    const stopProducer = new AbortController();
    const producing = produceBackfill(endpoints, fixture, MAX_RECORDS, USERS, {
      topics: ['lms.video'],
      ratePerS: RATE_PER_S,
      signal: stopProducer.signal,
      onWritten: (records) => (written = records),
      endsAgoMs: EVENTS_END_AGO_MS,
    }).finally(() => (producerDone = true));
    producing.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile

    // One instance owns all 12 partitions.
    const a = spawnInstance(fixture, 'a');
    await waitFor(
      'a to own every partition and commit while records come',
      () => ownedBy(a).length === PARTITIONS && a.child.checkpoints() >= 3 && written >= 8_000,
      START_TIMEOUT_MS,
    );
    const alone = await memoryOf(a);

    // 1 → 3: two more instances join; the group splits the partitions (4 each).
    const joinedAtMs = Date.now();
    const writtenAtJoin = written;
    const b = spawnInstance(fixture, 'b');
    const c = spawnInstance(fixture, 'c');
    const three = [a, b, c];
    onTestFailed(() => keepLogs(fixture, three));
    await waitFor(
      'three instances sharing the partitions, each committing since the last rebalance',
      () =>
        three.every((instance) => ownedBy(instance).length > 0) &&
        three.reduce((sum, instance) => sum + ownedBy(instance).length, 0) === PARTITIONS &&
        three.every((instance) => checkpointsSinceRebalance(instance) >= 3) &&
        (producerDone || written >= 2 * writtenAtJoin),
      START_TIMEOUT_MS,
    );
    const shared = await Promise.all(three.map(memoryOf));

    // 3 → 2: b is SIGKILLed; its partitions move after the session timeout (6 s).
    const killedOwned = ownedBy(b);
    const writtenAtKill = written;
    b.child.process.kill('SIGKILL');
    b.endMs = Date.now();
    expect((await b.child.exited).signal).toBe('SIGKILL');
    const survivors = [a, c];
    await waitFor(
      "the survivors to adopt b's partitions and commit them",
      () =>
        survivors.reduce((sum, instance) => sum + ownedBy(instance).length, 0) === PARTITIONS &&
        survivors.every((instance) => checkpointsSinceRebalance(instance) >= 2),
      SETTLE_TIMEOUT_MS,
    );
    const producerRunning = !producerDone;
    stopProducer.abort();
    const produced = await producing;
    const producedAtMs = Date.now();

    // Both caught up, every partition idle after the last record and that committed and published: the
    // views' completeness (the minimum over all 12 partitions) passes an idle advance decided after the end.
    await waitFor(
      'the survivors caught up and the views complete',
      async () =>
        (await publishedCompleteThroughMs(fixture)) >= producedAtMs + 5_000 - WATERMARK_DELAY_MS &&
        (await Promise.all(survivors.map(lagOf))).every((lag) => lag === 0),
      SETTLE_TIMEOUT_MS,
    );
    const settled = await Promise.all(survivors.map(memoryOf));
    const stoppingMs = Date.now();
    for (const instance of survivors) instance.child.process.kill('SIGTERM');
    const exits = await Promise.all(survivors.map((instance) => instance.child.exited));
    for (const instance of survivors) instance.endMs = stoppingMs;
    expect(exits.map((exit) => exit.code)).toEqual([0, 0]);

    // Handed over through the checkpoints: each new instance adopted partitions a's commits had moved on
    // (a non-zero offset: a partition never committed starts at the log start, 0), and every partition b
    // owned when it was killed went to a survivor, restored from a checkpoint in the same way.
    const moves = handovers([a, b, c]);
    const joinMoves = moves.filter((move) => move.adoptedAtMs >= joinedAtMs && move.adoptedAtMs < b.endMs!);
    const killMoves = moves.filter((move) => move.adoptedAtMs >= b.endMs! && move.adoptedAtMs < stoppingMs);
    for (const joined of ['b', 'c'])
      expect(
        joinMoves.some((move) => move.to === joined && move.offset > 0),
        `${joined} adopted`,
      ).toBe(true);
    expect(killedOwned.length).toBeGreaterThan(0);
    for (const partition of killedOwned) {
      const move = killMoves.find((candidate) => candidate.partition === partition && candidate.from === 'b');
      expect(move, `${partition} moved from b`).toBeDefined();
      expect(move!.offset).toBeGreaterThan(0);
    }

    const records = await readBack(endpoints, fixture);
    expect(records).toHaveLength(produced);
    const [expected, actual] = [await oracleResult(records), await readerResult(fixture)];
    expect(differences(actual, expected, 10)).toEqual([]);
    // The raw archive: every validated record once, accepted or late.
    expect(await duckdbArchive(fixture.store, fixture.layout)).toEqual(expectedArchive(records, expected));

    const fenced = [a, b, c].map(
      (instance) =>
        `${instance.name} ${instance.child.logLines().filter((line) => line.code === 'fenced').length}`,
    );
    const fromKill = killMoves.filter((move) => move.from === 'b').map((move) => move.adoptedAtMs - b.endMs!);
    const killedAtMs = b.endMs!;
    const lines = [
      `${PARTITIONS} partitions, job ${JOB}: ${produced} records at ≤ ${RATE_PER_S}/s (${writtenAtJoin} before the ` +
        `join, ${writtenAtKill} before the kill, producer ${producerRunning ? 'still running' : 'done'} after it)`,
      describePauses('join 1 → 3', joinMoves) +
        `; a stopped committing for ${stallMs(a, joinedAtMs, killedAtMs)} ms`,
      describePauses('kill 3 → 2', killMoves) +
        `; SIGKILL → b's partitions adopted in ${Math.min(...fromKill)}–${Math.max(...fromKill)} ms; a stopped ` +
        `committing for ${stallMs(a, killedAtMs, stoppingMs)} ms, c for ${stallMs(c, killedAtMs, stoppingMs)} ms`,
      `memory alone: ${describeMemory(alone)}`,
      `memory 3 instances: ${shared.map(describeMemory).join('; ')}`,
      `memory 2 instances, settled: ${settled.map(describeMemory).join('; ')}`,
      `checkpoints that lost the race for a commit number at least once: alone ` +
        `${retriedCommits([a], 0, joinedAtMs)}, 3 instances ${retriedCommits(three, joinedAtMs, killedAtMs)}, ` +
        `2 instances ${retriedCommits(survivors, killedAtMs, stoppingMs)}; fenced: ${fenced.join(', ')}`,
    ];
    for (const line of lines) process.stderr.write(`[scale-out] ${line}\n`);
  });
});
