/**
 * Builds one Temporal Worker per task queue polled. Each gets the configured activity and
 * workflow-task slots; all share the workflow bundle and the activity implementations.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import type { Config, TaskQueue } from '../platform/config';
import { createActivities, type ActivityDeps } from '../activities';

export interface WorkerSettings {
  queues: TaskQueue[];
  concurrency: number;
  workflowConcurrency: number;
  cacheSize: number;
  identity?: string;
  shutdownGraceSeconds: number;
}

export type WorkflowSource = Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'>;

export async function createWorkers(args: {
  connection: NativeConnection;
  namespace: string;
  db: Knex;
  config: Config;
  settings: WorkerSettings;
  workflows: WorkflowSource;
  activityDeps?: Partial<ActivityDeps>;
}): Promise<Worker[]> {
  const activities = createActivities({ db: args.db, config: args.config, ...args.activityDeps });
  const s = args.settings;
  return Promise.all(
    s.queues.map((taskQueue) =>
      Worker.create({
        connection: args.connection,
        namespace: args.namespace,
        taskQueue,
        ...args.workflows,
        activities,
        ...(s.identity ? { identity: `${s.identity}@${taskQueue}` } : {}), // absent: the SDK's default
        maxConcurrentActivityTaskExecutions: s.concurrency,
        maxConcurrentLocalActivityExecutions: s.concurrency * 4,
        maxConcurrentWorkflowTaskExecutions: s.workflowConcurrency,
        maxCachedWorkflows: s.cacheSize,
        shutdownGraceTime: `${s.shutdownGraceSeconds}s`,
      }),
    ),
  );
}
