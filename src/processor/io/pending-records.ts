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

/** A commit of one partition group's log. */
interface PendingCommit {
  group: number;
  commit: number;
  files: FileSource[];
}

export class PendingRecords {
  /** Pending files of the commits absorbed and not gathered yet, by `group:commit`. */
  private readonly byCommit = new Map<string, PendingCommit>();
  private readonly ownName: RegExp;

  /** `groups`: the job's commit groups (io/commit-groups.ts); cursors are one commit number per group. */
  constructor(
    private readonly store: ObjectStore,
    job: string,
    private readonly datasets: readonly RecordDataset[],
    private readonly groups = 1,
  ) {
    const stream = job.replaceAll('.', '\\.');
    this.ownName = new RegExp(
      groups === 1
        ? `^${stream}-()(\\d+)(?:\\.p\\d+)?\\.ndjson$`
        : `^${stream}\\.g(\\d+)-(\\d+)(?:\\.p\\d+)?\\.ndjson$`,
    );
  }

  private datasetOf(key: string): RecordDataset | undefined {
    return this.datasets.find((dataset) => key.startsWith(dataset.pendingPrefix));
  }

  /** A commit's files (final key, and its staged copy while unpublished): keeps the pending records. */
  absorb(group: number, commit: number, files: readonly FileSource[]): void {
    const pending = files.filter(({ key }) => this.datasetOf(key) !== undefined);
    if (pending.length > 0) this.byCommit.set(`${group}:${commit}`, { group, commit, files: pending });
  }

  /** The commits in (after, through] of their group. */
  private between(after: readonly number[], through: readonly number[]): PendingCommit[] {
    return [...this.byCommit.values()].filter(
      ({ group, commit }) => commit > after[group]! && commit <= through[group]!,
    );
  }

  /** True when a commit in (after, through] of its group has records waiting. */
  waiting(after: readonly number[], through: readonly number[]): boolean {
    return this.between(after, through).length > 0;
  }

  /**
   * The records of commits in (after, through], in commit order, as the gathered files of each pending
   * directory (named by the caller). A file gone from both places was gathered already by a completion
   * this instance has not read yet: the caller's put of its record then fails.
   */
  async gather(after: readonly number[], through: readonly number[]): Promise<GatheredFile[]> {
    const commits = this.between(after, through).sort((a, b) => a.commit - b.commit || a.group - b.group);
    const sources = commits.flatMap(({ files }) => files);
    const bodies = new Array<Uint8Array | undefined>(sources.length);
    await forEachLimit([...sources.keys()], IO_CONCURRENCY, async (index) => {
      bodies[index] = await readFileSource(this.store, sources[index]!);
    });
    // Bodies stay whole: a busy topic's minute is 100,000s of lines, and a view per line cost seconds.
    const byDir = new Map<string, { dataset: RecordDataset; dir: string; bodies: Uint8Array[] }>();
    sources.forEach(({ key }, index) => {
      const dataset = this.datasetOf(key)!;
      const dir = key.slice(dataset.pendingPrefix.length, key.lastIndexOf('/'));
      const id = `${dataset.tree}/${dir}`;
      let entry = byDir.get(id);
      if (entry === undefined) byDir.set(id, (entry = { dataset, dir, bodies: [] }));
      const body = bodies[index];
      if (body !== undefined && body.byteLength > 0) entry.bodies.push(wholeLines(body));
    });
    const gathered: GatheredFile[] = [];
    for (const { dataset, dir, bodies: inDir } of byDir.values()) {
      const topic = dir.split('/')[0]!;
      for (const file of await dataset.gathered(dir, inDir))
        gathered.push({ ...file, tree: dataset.tree, dataset: topic });
    }
    return gathered;
  }

  /** Deletes the pending files of commits up to `through` of their group (gathered by a completion of ours). */
  async deleteThrough(through: readonly number[]): Promise<void> {
    const gathered = this.between(this.none, through);
    await this.store.deleteMany(gathered.flatMap(({ files }) => files.map(({ key }) => key)));
    this.forgetThrough(through);
  }

  /** Forgets the commits up to `through` of their group (gathered by another writer, who deletes their files). */
  forgetThrough(through: readonly number[]): void {
    for (const { group, commit } of this.between(this.none, through))
      this.byCommit.delete(`${group}:${commit}`);
  }

  private get none(): number[] {
    return new Array<number>(this.groups).fill(0);
  }

  /** Every pending record file of the job, per group, by the commit that wrote it. */
  async list(): Promise<Map<number, string[]>[]> {
    const byGroup = Array.from({ length: this.groups }, () => new Map<number, string[]>());
    for (const { pendingPrefix } of this.datasets) {
      for (const key of await this.store.list(pendingPrefix)) {
        const match = this.ownName.exec(key.slice(key.lastIndexOf('/') + 1));
        if (match === null) continue;
        const byCommit = byGroup[Number(match[1] || 0)];
        if (byCommit === undefined) continue;
        const commit = Number(match[2]);
        byCommit.set(commit, [...(byCommit.get(commit) ?? []), key]);
      }
    }
    return byGroup;
  }
}

/** The body with a newline after its last line (a file written without one still reads whole). */
function wholeLines(body: Uint8Array): Uint8Array {
  return body[body.byteLength - 1] === 0x0a ? body : Buffer.concat([body, Buffer.from('\n')]);
}
