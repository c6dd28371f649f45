/** The views a batch or reconcile run is asked for: all 25 by default; an unknown name is refused. */
import { VIEW_NAMES, VIEW_SPECS, type ViewSpec } from '../events/view-catalog.ts';
import { BatchError } from './batch-error.ts';

export function resolveViews(names: readonly string[] | undefined): ViewSpec[] {
  if (names === undefined) return [...VIEW_SPECS];
  const unknown = names.filter((name) => !VIEW_NAMES.includes(name));
  if (unknown.length > 0)
    throw new BatchError(
      'unknown_view',
      `unknown view ${unknown.join(', ')}; choose from ${VIEW_NAMES.join(', ')}`,
    );
  return VIEW_SPECS.filter((spec) => names.includes(spec.name));
}
