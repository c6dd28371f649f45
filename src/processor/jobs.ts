/** The five jobs: each is the list of views over its topics (profile_notification reads two topics). */
import type { JobName } from '../events/topics.ts';
import { viewSpec } from '../events/view-catalog.ts';
import { JobEngine, type EngineOptions } from './engine/job-engine.ts';
import type { AnyView } from './engine/view-definition.ts';
import { VIEWS } from './views/index.ts';

function viewsOf(job: JobName): readonly AnyView[] {
  return VIEWS.filter((view) => viewSpec(view.name).job === job);
}

export const JOB_VIEWS: Readonly<Record<JobName, readonly AnyView[]>> = {
  auth: viewsOf('auth'),
  assessment: viewsOf('assessment'),
  video: viewsOf('video'),
  course: viewsOf('course'),
  profile_notification: viewsOf('profile_notification'),
};

/** Defaults of docs/contract/semantics.md: D = 2 min, session gap 10 min. */
export const DEFAULT_ENGINE_OPTIONS: EngineOptions = { watermarkDelayMs: 120_000, sessionGapMs: 600_000 };

export function createJobEngine(job: JobName, options: EngineOptions = DEFAULT_ENGINE_OPTIONS): JobEngine {
  return new JobEngine(job, JOB_VIEWS[job], options);
}
