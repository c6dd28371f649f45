/**
 * Reads the partial rows a view's published Parquet files hold (`realtime_views/<view>/date=…/*.parquet`),
 * skipping date directories outside the asked window-start range, plus the files of commits that are in
 * the log but not published yet (the writer is between its checkpoint put and the copy: read from staging,
 * as recovery would publish them). Files never change once published, so parsed rows are kept by key.
 */
import { viewSpec } from '../../events/view-catalog.ts';
import type { ViewRow } from '../../events/view-dump.ts';
import type { StagedFile } from '../io/checkpoint-codec.ts';
import type { StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { readParquet } from '../../storage/parquet-reader.ts';
import { IO_CONCURRENCY, forEachLimit } from '../io/publish.ts';

/** Window starts (or session starts) in `[fromMs, toMs)`; either end may be open. */
export interface StartRange {
  fromMs?: number;
  toMs?: number;
}

export interface ViewFileRows {
  rows: ViewRow[];
  /** Parquet files read (or taken from the cache). */
  files: number;
}

const DATE_DIR = /\/date=(\d{4}-\d{2}-\d{2})\//;

function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** Whether a file's date directory can hold rows starting in the range (dates compare as strings). */
function dateInRange(key: string, range: StartRange): boolean {
  const date = DATE_DIR.exec(key)?.[1];
  if (date === undefined) return true;
  if (range.fromMs !== undefined && date < utcDay(range.fromMs)) return false;
  return range.toMs === undefined || date <= utcDay(range.toMs - 1);
}

export function inStartRange(startMs: number, range: StartRange): boolean {
  return (
    (range.fromMs === undefined || startMs >= range.fromMs) &&
    (range.toMs === undefined || startMs < range.toMs)
  );
}

export class ViewFileReader {
  private readonly rowsByKey = new Map<string, ViewRow[]>();

  constructor(
    private readonly store: ObjectStore,
    private readonly layout: StorageLayout,
  ) {}

  /** Partial rows of the view whose first (start) column lies in the range. */
  async read(view: string, range: StartRange, committed: readonly StagedFile[]): Promise<ViewFileRows> {
    const prefix = `${this.layout.viewsPrefix}${view}/`;
    const wanted = (key: string): boolean =>
      key.startsWith(prefix) && key.endsWith('.parquet') && dateInRange(key, range);
    const published = (await this.store.list(prefix)).filter(wanted);
    const listed = new Set(published);
    const unpublished = committed.filter((file) => wanted(file.final) && !listed.has(file.final));
    const sources = [
      ...published.map((key) => ({ key, fallback: undefined as string | undefined })),
      ...unpublished.map((file) => ({ key: file.final, fallback: file.staging })),
    ];
    const used = new Set<string>();
    await forEachLimit(sources, IO_CONCURRENCY, async ({ key, fallback }) => {
      if (!this.rowsByKey.has(key)) {
        const bytes =
          (await this.store.get(key)) ??
          (fallback === undefined ? undefined : await this.store.get(fallback));
        if (bytes === undefined) return; // cannot happen: staging is deleted only once the final copy exists
        this.rowsByKey.set(key, (await readParquet(bytes)).rows as ViewRow[]);
      }
      used.add(key);
    });
    // Forget files of this view the caller no longer asks for (a live summary moves its range forward).
    for (const key of this.rowsByKey.keys())
      if (key.startsWith(prefix) && !used.has(key)) this.rowsByKey.delete(key);
    const startColumn = viewSpec(view).columns[0]!.name;
    const rows: ViewRow[] = [];
    for (const key of used) {
      for (const row of this.rowsByKey.get(key)!)
        if (inStartRange(Number(row[startColumn]), range)) rows.push(row);
    }
    return { rows, files: used.size };
  }
}
