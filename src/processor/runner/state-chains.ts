/**
 * Incremental partition state (docs/performance.md): a commit stores a partition's full engine snapshot,
 * then for a while only the ids accepted since its previous commit (clock and views stay whole). A chain
 * ends — the next state is full — after MAX_CHAIN_LINKS incremental commits or once the incremental
 * pieces together outweigh the full one (restore reads every piece); one partition per commit, so the
 * expensive full commits spread out. Chains live in this instance only:
 * a partition adopted or recovered starts with a full state, so a chain never spans two writers.
 */
import { foldChain } from '../engine/snapshot.ts';
import type { JobCommitter, PartitionRef, RestoredPartition } from '../io/commit.ts';
import { decodePartitionBlob, type ChainLink, type PartitionBlob } from '../io/partition-state-blob.ts';

export const MAX_CHAIN_LINKS = 20;

interface Chain {
  baseCommit: number;
  previousCommit: number;
  links: number;
  baseBytes: number;
  linkBytes: number;
}

export class StateChains {
  private readonly chains = new Map<string, Chain>();

  /**
   * The link the partition's next state may use, or null when it must be full. A chain past its soft
   * limits is renewed only when `renew` (the caller renews one partition per commit, so the partitions'
   * full states — the expensive commits — spread out); past twice the limits it is renewed regardless.
   */
  nextLink(partitionKey: string, renew: boolean): ChainLink | null {
    const chain = this.chains.get(partitionKey);
    if (chain === undefined) return null;
    const overLimit = (factor: number): boolean =>
      chain.links >= factor * MAX_CHAIN_LINKS || chain.linkBytes >= factor * chain.baseBytes;
    if (overLimit(2) || (renew && overLimit(1))) return null;
    return { previousCommit: chain.previousCommit, baseCommit: chain.baseCommit };
  }

  /** True when the partition's chain is past its soft limits. */
  due(partitionKey: string): boolean {
    const chain = this.chains.get(partitionKey);
    return chain !== undefined && (chain.links >= MAX_CHAIN_LINKS || chain.linkBytes >= chain.baseBytes);
  }

  /** The state written at `commit` (full when `link` is null) is durable. */
  committed(partitionKey: string, commit: number, link: ChainLink | null, bytes: number): void {
    const chain = this.chains.get(partitionKey);
    if (link === null || chain === undefined) {
      this.chains.set(partitionKey, {
        baseCommit: commit,
        previousCommit: commit,
        links: 0,
        baseBytes: bytes,
        linkBytes: 0,
      });
      return;
    }
    chain.previousCommit = commit;
    chain.links++;
    chain.linkBytes += bytes;
  }

  forget(partitionKey: string): void {
    this.chains.delete(partitionKey);
  }

  clear(): void {
    this.chains.clear();
  }
}

/**
 * The partition's blob as one full state: an incremental state is folded with the older pieces of its
 * chain (read commit by commit, newest first, down to the base).
 */
export async function restoreBlob(
  committer: Pick<JobCommitter, 'readPartition'>,
  ref: PartitionRef,
  newest: RestoredPartition,
): Promise<PartitionBlob> {
  const blob = decodePartitionBlob(newest.state);
  if (blob.chain === null || blob.chain === undefined || blob.engine === null) return blob;
  const pieces = [blob.engine];
  let link: ChainLink | null | undefined = blob.chain;
  let from = newest.commit;
  while (link !== null && link !== undefined) {
    if (link.previousCommit >= from || link.baseCommit > link.previousCommit) {
      throw new Error(
        `${ref.topic}-${ref.partition}: commit ${from} links to commit ${link.previousCommit} (base ${link.baseCommit}); the chain must go back`,
      );
    }
    const older = decodePartitionBlob((await committer.readPartition(link.previousCommit, ref)).state);
    if (older.engine === null)
      throw new Error(`${ref.topic}-${ref.partition}: commit ${link.previousCommit} holds no engine state`);
    pieces.unshift(older.engine);
    from = link.previousCommit;
    link = older.chain;
  }
  const [base, ...later] = pieces;
  return { ...blob, chain: null, engine: foldChain(base!, later) };
}
