/**
 * The flush policy of the record trees — dead letters and the raw archive (docs/storage.md "Dead letters",
 * "Raw archive"): each commit writes its records as NDJSON lines under the partials tree
 * (`realtime_partials/_dead_letter/…`, `realtime_partials/_raw/…`, one file per directory and commit), and
 * a completion gathers those of every commit up to the one it covers into few files of the record tree.
 * The completion log's conditional put makes exactly one writer gather each commit's records; the
 * record's `recordsThroughCommit` says which commits are gathered, so their pending files can go.
 */
import type { OutputFile } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import type { ParquetRow } from '../../storage/parquet-columns.ts';
import { readFileSource, type FileSource } from './partial-files.ts';
import { IO_CONCURRENCY, forEachLimit } from './publish.ts';

/** One kind of record a commit writes pending and a completion gathers. */
export interface RecordDataset {
  /** The tree it is published in, for metrics: `dead_letter`, `raw`. */
  tree: string;
  /** Commits write `<pendingPrefix><dir>/<job>-<N>.ndjson`. */
  pendingPrefix: string;
  /**
   * The gathered files of one pending directory's NDJSON bodies (all commits, in commit order; each
   * body whole lines ending in a newline); rows for stats.
   */
  gathered(
    dir: string,
    bodies: readonly Uint8Array[],
  ): Promise<(OutputFile & { rows?: readonly ParquetRow[] })[]>;
}

/** A gathered file with the tree and directory (a topic) it belongs to. */
export interface GatheredFile extends OutputFile {
  rows?: readonly ParquetRow[];
  tree: string;
  /** The first directory under the pending prefix: the topic. */
  dataset: string;
}

export class PendingRecords {
  /** Pending files of the commits absorbed and not gathered yet, by commit. */
  private readonly byCommit = new Map<number, FileSource[]>();
  private readonly ownName: RegExp;

  constructor(
    private readonly store: ObjectStore,
    job: string,
    private readonly datasets: readonly RecordDataset[],
  ) {
    this.ownName = new RegExp(`^${job}-(\\d+)(?:\\.p\\d+)?\\.ndjson$`);
  }

  private datasetOf(key: string): RecordDataset | undefined {
    return this.datasets.find((dataset) => key.startsWith(dataset.pendingPrefix));
  }

  /** A commit's files (final key, and its staged copy while unpublished): keeps the pending records. */
  absorb(commit: number, files: readonly FileSource[]): void {
    const pending = files.filter(({ key }) => this.datasetOf(key) !== undefined);
    if (pending.length > 0) this.byCommit.set(commit, pending);
  }

  /** True when a commit in (after, through] has records waiting. */
  waiting(after: number, through: number): boolean {
    for (const commit of this.byCommit.keys()) if (commit > after && commit <= through) return true;
    return false;
  }

  /**
   * The records of commits in (after, through], in commit order, as the gathered files of each pending
   * directory (named by the caller). A file gone from both places was gathered already by a completion
   * this instance has not read yet: the caller's put of its record then fails.
   */
  async gather(after: number, through: number): Promise<GatheredFile[]> {
    const commits = [...this.byCommit.keys()].filter((c) => c > after && c <= through).sort((a, b) => a - b);
    const sources = commits.flatMap((commit) => this.byCommit.get(commit)!);
    const bodies = new Array<Uint8Array | undefined>(sources.length);
    await forEachLimit([...sources.keys()], IO_CONCURRENCY, async (index) => {
      bodies[index] = await readFileSource(this.store, sources[index]!);
    });
    // Bodies stay whole: a busy topic's minute is 100,000s of lines, and a view per line cost seconds.
    const groups = new Map<string, { dataset: RecordDataset; dir: string; bodies: Uint8Array[] }>();
    sources.forEach(({ key }, index) => {
      const dataset = this.datasetOf(key)!;
      const dir = key.slice(dataset.pendingPrefix.length, key.lastIndexOf('/'));
      const id = `${dataset.tree}/${dir}`;
      let group = groups.get(id);
      if (group === undefined) groups.set(id, (group = { dataset, dir, bodies: [] }));
      const body = bodies[index];
      if (body !== undefined && body.byteLength > 0) group.bodies.push(wholeLines(body));
    });
    const gathered: GatheredFile[] = [];
    for (const { dataset, dir, bodies: inDir } of groups.values()) {
      const topic = dir.split('/')[0]!;
      for (const file of await dataset.gathered(dir, inDir))
        gathered.push({ ...file, tree: dataset.tree, dataset: topic });
    }
    return gathered;
  }

  /** Deletes the pending files of commits up to `through` (gathered by a completion of ours). */
  async deleteThrough(through: number): Promise<void> {
    const keys = [...this.byCommit].filter(([commit]) => commit <= through).flatMap(([, files]) => files);
    await this.store.deleteMany(keys.map(({ key }) => key));
    this.forgetThrough(through);
  }

  /** Forgets the commits up to `through` (gathered by another writer, who deletes their files). */
  forgetThrough(through: number): void {
    for (const commit of this.byCommit.keys()) if (commit <= through) this.byCommit.delete(commit);
  }

  /** Every pending record file of the job, by the commit that wrote it. */
  async list(): Promise<Map<number, string[]>> {
    const byCommit = new Map<number, string[]>();
    for (const { pendingPrefix } of this.datasets) {
      for (const key of await this.store.list(pendingPrefix)) {
        const match = this.ownName.exec(key.slice(key.lastIndexOf('/') + 1));
        if (match === null) continue;
        const commit = Number(match[1]);
        byCommit.set(commit, [...(byCommit.get(commit) ?? []), key]);
      }
    }
    return byCommit;
  }
}

/** The body with a newline after its last line (a file written without one still reads whole). */
function wholeLines(body: Uint8Array): Uint8Array {
  return body[body.byteLength - 1] === 0x0a ? body : Buffer.concat([body, Buffer.from('\n')]);
}
