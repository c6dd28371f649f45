/**
 * Work in steps: a generator that yields between parts of a long synchronous job (encoding a whole
 * partition's state), so that the runner may let other work run between them. The engine stays
 * synchronous and knows no clock: whoever drives the steps decides when to pause.
 */
export type Steps<T> = Generator<void, T>;

/** The steps run to their end at once. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}
