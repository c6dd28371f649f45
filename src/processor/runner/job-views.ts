/** The views a job runs (src/processor/jobs.ts), checked against the catalog so a missing one fails early. */
import { VIEW_SPECS } from '../../events/view-catalog.ts';
import type { JobName } from '../../events/topics.ts';
import type { AnyView } from '../engine/view-definition.ts';
import { JOB_VIEWS } from '../jobs.ts';
import { RunnerError } from './runner-error.ts';

export function jobViews(job: JobName): readonly AnyView[] {
  const views = JOB_VIEWS[job];
  const have = new Set(views.map((view) => view.name));
  const missing = VIEW_SPECS.filter((spec) => spec.job === job && !have.has(spec.name)).map(
    (spec) => spec.name,
  );
  if (missing.length > 0)
    throw new RunnerError('view_missing', `job ${job}: no implementation of ${missing.join(', ')}`);
  return views;
}
