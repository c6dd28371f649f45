import { describe, expect, it } from 'vitest';
import type { ViewRow } from '../../src/events/view-dump.ts';
import { ChangeListeners } from '../../src/serving/change-listeners.ts';
import type { ProvisionalChange } from '../../src/serving/provisional-rows.ts';

describe('listeners of provisional changes', () => {
  it('merge a view’s rows once when somebody wants the view, and not at all otherwise', () => {
    const listeners = new ChangeListeners();
    const got: string[] = [];
    let merged = 0;
    const rows = (): ViewRow[] => {
      merged++;
      return [{ n: merged }];
    };
    listeners.add(
      ({ view }) => got.push(`a:${view}`),
      (view) => view === 'a',
    );
    const stop = listeners.add(({ view, rows: seen }: ProvisionalChange) =>
      got.push(`all:${view}:${seen.length}`),
    );
    listeners.add(
      ({ view }) => got.push(`a2:${view}`),
      (view) => view === 'a',
    );

    listeners.notify('a', () => ({ view: 'a', rows: rows(), asOfMs: 1 }));
    expect(merged).toBe(1);
    stop();
    listeners.notify('b', () => ({ view: 'b', rows: rows(), asOfMs: 2 }));
    expect(merged).toBe(1); // nobody wants b any more
    expect(got).toEqual(['a:a', 'all:a:1', 'a2:a']);
  });
});
