/**
 * The Workers runWithWorkers (workers.ts) has running, so the root hooks can stop any that
 * a timed-out test left behind. Mocha abandons a test at its timeout, but its workers keep
 * polling; the next test's worker on the same queue is then refused by the SDK
 * ("multiple workers with overlapping worker task types"), and one hang fails every test
 * after it. Kept free of imports that load the SDK: the root hooks load this.
 */
import type { Worker } from '@temporalio/worker';

interface Live {
  worker: Worker;
  stopped: Promise<unknown>;
}

const live = new Set<Live>();

/** Registers a worker until `stopped` (its runUntil) settles. */
export function trackWorker(worker: Worker, stopped: Promise<unknown>): void {
  const entry = { worker, stopped };
  live.add(entry);
  void stopped.finally(() => live.delete(entry)).catch(() => undefined);
}

/** Shuts down every worker still running; the number it had to stop. */
export async function stopLeftoverWorkers(timeoutMs = 30_000): Promise<number> {
  const left = [...live];
  for (const { worker } of left) {
    try {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    } catch {
      // already stopping
    }
  }
  await Promise.race([Promise.allSettled(left.map((l) => l.stopped)), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  return left.length;
}
