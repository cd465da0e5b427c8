/**
 * Real Temporal workers for integration tests: one per task queue, with the service's own
 * activities, run until the given work is done and then shut down (two live workers on one
 * queue in one process are refused by the SDK, so none may outlive its test).
 */
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities } from '../../activities';
import type { Config, TaskQueue } from '../../platform/config';
import { trackWorker } from './live-workers';
import { getWorkflowBundle } from './temporal';

/** Activities to use instead of the service's: given as they are, or built around the service's own (to wrap one). */
export type ActivityOverrides = Record<string, unknown> | ((service: ReturnType<typeof createActivities>) => Record<string, unknown>);

export async function runWithWorkers<T>(
  args: { connection: NativeConnection; db: Knex; config: Config; queues: TaskQueue[]; namespace?: string; activities?: ActivityOverrides },
  work: () => Promise<T>,
): Promise<T> {
  const workflowBundle = await getWorkflowBundle();
  const service = createActivities({ db: args.db, config: args.config });
  const overrides = typeof args.activities === 'function' ? args.activities(service) : args.activities;
  const activities = { ...service, ...overrides };
  const workers = await Promise.all(
    args.queues.map((taskQueue) =>
      Worker.create({ connection: args.connection, namespace: args.namespace ?? 'default', taskQueue, workflowBundle, activities }),
    ),
  );
  const done = work();
  // Wait for every worker to be shut down even when the work fails, so none outlives the test
  // (and registered, so the root hooks stop them if the test times out while they run).
  const running = workers.map((w) => {
    const stopped = w.runUntil(done.catch(() => undefined));
    trackWorker(w, stopped);
    return stopped;
  });
  const [result, ...stopped] = await Promise.allSettled([done, ...running]);
  const failure = [result, ...stopped].find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return (result as PromiseFulfilledResult<T>).value;
}
