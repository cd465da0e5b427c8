/**
 * Long parses are generators that yield between units of work (pages, trial parses), so
 * one caller can run them to the end at once and another can hand the event loop back
 * between slices: inside an activity, heartbeats and cancels must get through while a
 * statement of thousands of pages is parsed.
 */

/** Runs the steps to their end without pausing. */
export function runToEnd<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** A slice of parsing between two returns to the event loop: short next to a heartbeat. */
const SLICE_MS = 50;

/**
 * Runs the steps, handing the event loop back every `sliceMs` of work and calling
 * `between` then (a heartbeat; it may throw to stop, as a cancelled activity does).
 */
export async function runYielding<T>(steps: Generator<void, T, void>, between: () => void, sliceMs = SLICE_MS): Promise<T> {
  let slice = Date.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (Date.now() - slice >= sliceMs) {
      await new Promise((r) => setImmediate(r));
      between();
      slice = Date.now();
    }
  }
}
