/**
 * What completion knows of one commit log (one commit group's, io/commit-groups.ts): the commits seen
 * and not absorbed yet, this instance's own commits' rows, the partial files of absorbed commits, and the
 * floor below which commits hold nothing pending (every commit up to `absorbedThrough` is in the pool).
 */
import type { ViewRow } from '../../events/view-dump.ts';
import type { StagedFile } from '../io/checkpoint-codec.ts';

export class CommitCursor {
  /** Commits seen in the log and not absorbed yet: their files. */
  readonly seen = new Map<number, readonly StagedFile[]>();
  /** This instance's own commits: their partial rows, straight from memory. */
  readonly own = new Map<number, ReadonlyMap<string, ViewRow[]>>();
  /** Partial files of absorbed commits, deleted once a completion of ours no longer needs them. */
  readonly partialKeys = new Map<number, string[]>();
  floor = 1;
  absorbedThrough = 0;

  /** Commits below `floor` hold nothing pending: forget them. */
  advanceFloor(floor: number): void {
    if (floor <= this.floor) return;
    this.floor = floor;
    this.absorbedThrough = Math.max(this.absorbedThrough, floor - 1);
    for (const commit of [...this.seen.keys(), ...this.own.keys(), ...this.partialKeys.keys()]) {
      if (commit >= floor) continue;
      this.seen.delete(commit);
      this.own.delete(commit);
      this.partialKeys.delete(commit);
    }
  }

  /** The partial files of absorbed commits below `floor`. */
  partialsBelow(floor: number): string[] {
    const keys: string[] = [];
    for (const [commit, partials] of this.partialKeys) if (commit < floor) keys.push(...partials);
    return keys;
  }
}
