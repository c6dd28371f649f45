/**
 * Completion's input side: puts every commit of every commit group's log into the completion pool, once
 * — this instance's own partial rows from memory, the others' from their files (staged if not published
 * yet), commits pruned before this instance read them from a listing of the partials tree — and keeps
 * the per-group cursors (runner/commit-cursor.ts) that say how far that went and which partial files
 * can go once a completion no longer needs them.
 */
import type { ViewRow } from '../../events/view-dump.ts';
import type { CompletionPool } from '../engine/completion-pool.ts';
import type { StagedFile } from '../io/checkpoint-codec.ts';
import { listPartialFiles, readRowsByView, type FileSource } from '../io/partial-files.ts';
import type { PendingRecords } from '../io/pending-records.ts';
import type { StorageLayout } from '../../storage/layout.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { CommitCursor } from './commit-cursor.ts';

export interface AbsorberOptions {
  job: string;
  layout: StorageLayout;
  views: readonly string[];
  groups: number;
  /** A commit's files as its log was last read (undefined: pruned, or not read yet). */
  filesOf(group: number, commit: number): readonly StagedFile[] | undefined;
}

export class CommitAbsorber {
  private readonly cursors: CommitCursor[];
  /** The partials tree as listed at start, reused by the first absorption. */
  private listed: Map<number, string[]>[] | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly pool: CompletionPool,
    private readonly records: PendingRecords,
    private readonly options: AbsorberOptions,
  ) {
    this.cursors = Array.from({ length: options.groups }, () => new CommitCursor());
  }

  /** A commit read from `group`'s log: its files, until absorbed. */
  seen(group: number, commit: number, files: readonly StagedFile[]): void {
    const cursor = this.cursors[group]!;
    if (commit > cursor.absorbedThrough) cursor.seen.set(commit, files);
  }

  /** Partial rows this instance committed in `commit` of `group`'s log (saves reading its own files back). */
  ownRows(
    group: number,
    commit: number,
    rowsByView: ReadonlyMap<string, ViewRow[]>,
    published: readonly string[],
  ): void {
    this.cursors[group]!.own.set(commit, rowsByView);
    this.cursors[group]!.partialKeys.set(commit, this.partialsOf(published));
  }

  /** At start: deletes the partial files every published completion has consumed (a crash may have left some). */
  async deleteConsumedListed(): Promise<void> {
    this.listed = await this.listPartials();
    const consumed = this.listed.flatMap((byCommit, group) =>
      [...byCommit].filter(([commit]) => commit < this.cursors[group]!.floor).flatMap(([, keys]) => keys),
    );
    await this.store.deleteMany(consumed);
  }

  /** Commits below each group's floor hold nothing pending (a completion said so): forget them. */
  advanceFloors(floors: readonly number[]): void {
    this.cursors.forEach((cursor, group) => cursor.advanceFloor(floors[group]!));
  }

  /** Deletes the partial files of absorbed commits below the new floors, then advances them. */
  async deleteConsumed(floors: readonly number[]): Promise<void> {
    await this.store.deleteMany(
      this.cursors.flatMap((cursor, group) => cursor.partialsBelow(floors[group]!)),
    );
    this.advanceFloors(floors);
  }

  /**
   * Puts every commit up to `covered` (per group) into the pool: own rows from memory, the others' from
   * their files; rows complete by `completedThroughMs` are published already.
   */
  async absorbThrough(covered: readonly number[], completedThroughMs: number): Promise<void> {
    const missing: { group: number; commit: number }[] = [];
    for (const [group, cursor] of this.cursors.entries()) {
      for (let commit = cursor.absorbedThrough + 1; commit <= covered[group]!; commit++) {
        const own = cursor.own.get(commit);
        const files = cursor.seen.get(commit) ?? this.options.filesOf(group, commit);
        if (files !== undefined)
          this.records.absorb(
            group,
            commit,
            files.map(({ final, staging }) => ({ key: final, staging })),
          );
        if (own !== undefined) this.pool.absorb(group, commit, own, completedThroughMs);
        else if (files !== undefined) {
          const partials = files.filter((file) => this.holdsPartialRows(file.final));
          cursor.partialKeys.set(commit, this.partialsOf(partials.map((file) => file.final)));
          const sources = partials.map((file): FileSource => ({ key: file.final, staging: file.staging }));
          await this.absorbFiles(group, commit, sources, completedThroughMs);
        } else missing.push({ group, commit });
        cursor.own.delete(commit);
        cursor.seen.delete(commit);
      }
    }
    if (missing.length > 0) {
      // Pruned from the commit log before this instance read them: their files are in the partials tree.
      const listed = this.listed ?? (await this.listPartials());
      const records = await this.records.list();
      for (const { group, commit } of missing) {
        this.records.absorb(
          group,
          commit,
          (records[group]!.get(commit) ?? []).map((key) => ({ key })),
        );
        const keys = listed[group]!.get(commit) ?? [];
        this.cursors[group]!.partialKeys.set(commit, keys);
        await this.absorbFiles(
          group,
          commit,
          keys.map((key) => ({ key })),
          completedThroughMs,
        );
      }
    }
    this.listed = undefined;
    this.cursors.forEach(
      (cursor, group) => (cursor.absorbedThrough = Math.max(cursor.absorbedThrough, covered[group]!)),
    );
  }

  private async absorbFiles(
    group: number,
    commit: number,
    sources: readonly FileSource[],
    completedThroughMs: number,
  ): Promise<void> {
    if (sources.length === 0) return;
    const rows = await readRowsByView(this.store, this.options.layout.partialsPrefix, sources);
    this.pool.absorb(group, commit, rows, completedThroughMs);
  }

  private listPartials(): Promise<Map<number, string[]>[]> {
    const { layout, job, views, groups } = this.options;
    return listPartialFiles(this.store, layout, job, views, groups);
  }

  private partialsOf(keys: readonly string[]): string[] {
    return keys.filter((key) => this.holdsPartialRows(key));
  }

  /** A view's partial-row file (the partials tree also holds the pending dead letters). */
  private holdsPartialRows(key: string): boolean {
    return key.startsWith(this.options.layout.partialsPrefix) && key.endsWith('.parquet');
  }
}
