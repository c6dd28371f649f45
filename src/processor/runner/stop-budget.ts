/**
 * A stop's final work (the last commit, the completion of what it made complete) within a time budget.
 * Past the budget the stop goes on without it — the consumer leaves the group, so the partitions move at
 * once instead of after the session timeout — while the work runs on until the process exits. That is
 * safe: a commit that lands later is one the next owner restores from or is fenced by (docs/storage.md),
 * and one that never lands leaves its records to the next owner.
 */

/** 'done' when `work` settled within `budgetMs` (its error is thrown), 'late' otherwise. */
export async function withinBudget(work: Promise<unknown>, budgetMs: number): Promise<'done' | 'late'> {
  if (!Number.isFinite(budgetMs)) return work.then(() => 'done' as const);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), budgetMs)));
  try {
    const outcome = await Promise.race([work.then(() => 'done' as const), late]);
    // Settling after the budget is nobody's concern any more: not an unhandled rejection.
    if (outcome === 'late') work.catch(() => undefined);
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}
