/**
 * The flush policy of the dead-letter tree (docs/storage.md "Dead letters"): each commit writes its
 * rejected records to `realtime_partials/_dead_letter/<topic>/date=…/<job>-<N>.ndjson`, and a completion
 * gathers those of every commit up to the one it covers into one file per topic and date under
 * `dead_letter/`. The completion log's conditional put makes exactly one writer gather each commit's dead
 * letters; the record's `recordsThroughCommit` says which commits are gathered, so their pending files can go.
 */
import { pendingDeadLetterPrefix, type OutputFile, type StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { ndjsonLines, ndjsonParts } from './ndjson-parts.ts';
import { readFileSource, type FileSource } from './partial-files.ts';
import { IO_CONCURRENCY, forEachLimit } from './publish.ts';

export class PendingDeadLetters {
  /** Pending files of the commits absorbed and not gathered yet, by commit. */
  private readonly byCommit = new Map<number, FileSource[]>();
  private readonly prefix: string;

  constructor(
    private readonly store: ObjectStore,
    private readonly layout: StorageLayout,
    private readonly job: string,
  ) {
    this.prefix = pendingDeadLetterPrefix(layout);
  }

  /** A commit's files (final key, and its staged copy while unpublished): keeps the pending dead letters. */
  absorb(commit: number, files: readonly FileSource[]): void {
    const pending = files.filter(({ key }) => key.startsWith(this.prefix));
    if (pending.length > 0) this.byCommit.set(commit, pending);
  }

  /** True when a commit in (after, through] has dead letters waiting. */
  waiting(after: number, through: number): boolean {
    for (const commit of this.byCommit.keys()) if (commit > after && commit <= through) return true;
    return false;
  }

  /**
   * The dead letters of commits in (after, through], in commit order, as the files of one directory per
   * topic and date under the dead-letter tree (named by the caller). A file gone from both places was
   * gathered already by a completion this instance has not read yet: the caller's put of its record fails.
   */
  async gather(after: number, through: number): Promise<OutputFile[]> {
    const commits = [...this.byCommit.keys()].filter((c) => c > after && c <= through).sort((a, b) => a - b);
    const sources = commits.flatMap((commit) => this.byCommit.get(commit)!);
    const bodies = new Array<Uint8Array | undefined>(sources.length);
    await forEachLimit([...sources.keys()], IO_CONCURRENCY, async (index) => {
      bodies[index] = await readFileSource(this.store, sources[index]!);
    });
    const linesByDir = new Map<string, Uint8Array[]>();
    sources.forEach(({ key }, index) => {
      const dir = `${this.layout.deadLetterPrefix}${key.slice(this.prefix.length, key.lastIndexOf('/'))}`;
      const lines = linesByDir.get(dir) ?? [];
      lines.push(...ndjsonLines(bodies[index] ?? new Uint8Array()));
      linesByDir.set(dir, lines);
    });
    return [...linesByDir].flatMap(([dir, lines]) => ndjsonParts(dir, lines));
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

  /** Every pending dead-letter file of the job, by the commit that wrote it. */
  async list(): Promise<Map<number, string[]>> {
    const byCommit = new Map<number, string[]>();
    const ownName = new RegExp(`^${this.job}-(\\d+)(?:\\.p\\d+)?\\.ndjson$`);
    for (const key of await this.store.list(this.prefix)) {
      const match = ownName.exec(key.slice(key.lastIndexOf('/') + 1));
      if (match === null) continue;
      const commit = Number(match[1]);
      byCommit.set(commit, [...(byCommit.get(commit) ?? []), key]);
    }
    return byCommit;
  }
}
