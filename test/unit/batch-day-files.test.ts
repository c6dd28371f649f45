/**
 * Which archive files a day needs: those of its dates whose event-time bounds meet its load window
 * [D − L, D + 1 day + L). The next date's files past the margin neither change day D's fingerprint nor
 * make `--closed` compute D again; a file with an event inside the margin, or one without bounds (an
 * archive written before the stats), does.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { archiveColumns } from '../../src/events/archive-columns.ts';
import { VIEW_SPECS } from '../../src/events/view-catalog.ts';
import { archiveUse, dayFiles, dayKeys, filesOf, readArchive } from '../../src/batch/archive-tables.ts';
import { dayWindow } from '../../src/batch/batch-days.ts';
import { DEFAULT_BATCH_LAYOUT } from '../../src/batch/batch-layout.ts';
import { emptyManifest, needsComputing, withDay, type BatchManifest } from '../../src/batch/manifest.ts';
import { planDays, type PlannedDay } from '../../src/batch/plan-days.ts';
import { appendFiles } from '../../src/storage/delta/append-files.ts';
import { FileObjectStore } from '../../src/storage/file-object-store.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import { writeRawEvents } from './batch-fixture.ts';
import { tempDir } from './temp-dir.ts';

const TOPIC = 'lms.auth';
const HOUR = 3_600_000;
const D = '2025-01-06';
const NEXT = '2025-01-07';
const AUTH_VIEWS = VIEW_SPECS.filter((spec) => spec.job === 'auth');

const login = (eventTime: string, n: number) => ({
  event_id: `e-${eventTime}-${n}`,
  event_type: 'login_success',
  event_time: eventTime,
  user_id: `u${n}`,
});

/** One raw file of `date` holding a login at each time (its add has stats, as the processor writes). */
async function rawFile(store: ObjectStore, date: string, ...times: string[]): Promise<void> {
  await writeRawEvents(store, TOPIC, date, times.map(login));
}

/** A raw file of `date` whose add has no stats: what the archive held before it had them. */
async function rawFileWithoutStats(store: ObjectStore, date: string, name: string): Promise<void> {
  const path = `date=${date}/${name}.parquet`;
  const table = { store, root: `${DEFAULT_BATCH_LAYOUT.rawPrefix}${TOPIC}` };
  await store.put(`${table.root}/${path}`, Buffer.from('not read by the plan'));
  await appendFiles(table, {
    columns: archiveColumns(TOPIC),
    files: [{ path, sizeBytes: 20, modificationTimeMs: 0 }],
  });
}

/** The auth views' closed days as `--closed` plans them, complete far past every day here. */
async function plan(store: ObjectStore, manifest: BatchManifest): Promise<PlannedDay[]> {
  return planDays({
    selection: { kind: 'closed' },
    views: AUTH_VIEWS,
    marginMs: HOUR,
    archive: await readArchive(store, DEFAULT_BATCH_LAYOUT, [TOPIC]),
    completeThrough: new Map(AUTH_VIEWS.map((spec) => [spec.name, Date.UTC(2025, 1, 1)])),
    manifest,
  });
}

/** The manifest once the planned days are computed. */
function recorded(manifest: BatchManifest, planned: readonly PlannedDay[]): BatchManifest {
  return planned.reduce((done, { window, views, archive }) => {
    const entry = { computed_at: '', rows: 0, table_version: 0, margin_ms: HOUR, archive };
    return withDay(done, window.day, Object.fromEntries(views.map((spec) => [spec.name, entry])));
  }, manifest);
}

/** An archive of D and the first half hour of D + 1, planned and computed once. */
async function computedArchive() {
  const store = new FileObjectStore(tempDir('batch-day-files-'));
  await rawFile(store, D, `${D}T10:00:00.000Z`, `${D}T23:50:00.000Z`);
  await rawFile(store, NEXT, `${NEXT}T00:20:00.000Z`);
  const manifest = recorded(emptyManifest(), await plan(store, emptyManifest()));
  const fingerprint = async () =>
    archiveUse((await readArchive(store, DEFAULT_BATCH_LAYOUT, [TOPIC])).get(TOPIC)!, dayWindow(D, HOUR))
      .fingerprint;
  return { store, manifest, fingerprint, before: await fingerprint() };
}

const days = (planned: readonly PlannedDay[]): string[] => planned.map(({ window }) => window.day);

describe('the archive files a batch day needs', () => {
  it('leaves day D alone when the next date gets files whose events are all past the margin', async () => {
    const { store, manifest, fingerprint, before } = await computedArchive();
    expect(await plan(store, manifest)).toEqual([]);

    await rawFile(store, NEXT, `${NEXT}T01:00:00.000Z`, `${NEXT}T14:00:00.000Z`); // D + 1 day + L on
    await rawFile(store, NEXT, `${NEXT}T09:30:00.000Z`);

    expect(await fingerprint()).toBe(before);
    expect(days(await plan(store, manifest))).toEqual([NEXT]);
  });

  it('computes day D again for a file of the next date with an event inside the margin', async () => {
    const { store, manifest, fingerprint, before } = await computedArchive();

    await rawFile(store, NEXT, `${NEXT}T00:59:59.999Z`, `${NEXT}T14:00:00.000Z`);

    expect(await fingerprint()).not.toBe(before);
    expect(days(await plan(store, manifest))).toEqual([D, NEXT]);
  });

  it('computes day D again for a file of the next date without bounds', async () => {
    const { store, manifest, fingerprint, before } = await computedArchive();

    await rawFileWithoutStats(store, NEXT, 'before-stats');

    expect(await fingerprint()).not.toBe(before);
    expect(days(await plan(store, manifest))).toEqual([D, NEXT]);
  });

  it('needs the files of the day before only where they reach into the look-back', async () => {
    const store = new FileObjectStore(tempDir('batch-day-files-'));
    await rawFile(store, '2025-01-05', '2025-01-05T12:00:00.000Z');
    await rawFile(store, '2025-01-05', '2025-01-05T23:00:00.000Z'); // D − L: the first instant D loads
    await rawFile(store, D, `${D}T08:00:00.000Z`);
    const archive = (await readArchive(store, DEFAULT_BATCH_LAYOUT, [TOPIC])).get(TOPIC)!;

    const needed = dayFiles(archive, dayWindow(D, HOUR));

    expect(filesOf(archive, dayWindow(D, HOUR).dates)).toHaveLength(3);
    expect(needed.map((add) => add.partitionValues.date)).toEqual(['2025-01-05', D]);
    expect(dayKeys(store, DEFAULT_BATCH_LAYOUT, archive, dayWindow(D, HOUR))).toEqual(
      needed.map((add) => `raw/${TOPIC}/${add.path}`),
    );
  });

  it('takes a manifest entry of whole dates without error: same when every file counts, else one recompute', async () => {
    const { store, manifest } = await computedArchive();
    const window = dayWindow(D, HOUR);
    /** The fingerprint as it was before bounds: every live file of the dates read. */
    const wholeDates = async (): Promise<string> => {
      const hash = createHash('sha256');
      const archive = (await readArchive(store, DEFAULT_BATCH_LAYOUT, [TOPIC])).get(TOPIC)!;
      for (const add of filesOf(archive, window.dates)) hash.update(`${add.path} ${add.size}\n`);
      return hash.digest('hex').slice(0, 16);
    };
    const oldStyle = async (): Promise<BatchManifest> => {
      const entries = manifest.days[D]!;
      const fingerprint = await wholeDates();
      const old = Object.fromEntries(
        Object.entries(entries).map(([view, entry]) => {
          const archive = { [TOPIC]: { ...entry.archive[TOPIC]!, fingerprint } };
          return [view, { ...entry, archive }];
        }),
      );
      return withDay(manifest, D, old);
    };

    expect(days(await plan(store, await oldStyle()))).toEqual([]);

    await rawFile(store, NEXT, `${NEXT}T05:00:00.000Z`);
    const old = await oldStyle();
    const planned = await plan(store, old);
    expect(days(planned)).toEqual([D, NEXT]);
    expect(days(await plan(store, recorded(old, planned)))).toEqual([]);
    const view = AUTH_VIEWS[0]!.name;
    expect(needsComputing(recorded(old, planned), D, view, planned[0]!.archive, HOUR)).toBe(false);
  });
});
