/**
 * The whole service for browser tests: the API (startTestApi, real HTTP) and one worker
 * per task queue on the Temporal dev server (real time: a browser waits in real time),
 * against the shared test Postgres. Each queue's worker can be stopped and started, so
 * a test can hold a task PENDING (to cancel it from the page) and then let it run.
 */
import type { Knex } from 'knex';
import type { Worker } from '@temporalio/worker';
import { TASK_QUEUES, type Config, type TaskQueue } from '../../platform/config';
import { createWorkers } from '../../worker/create-workers';
import { getTestDb } from '../support/postgres';
import { getDevServer, getDevServerNativeConnection, getWorkflowBundle } from '../support/temporal';
import { testConfig } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';

export interface Stack {
  api: TestApi;
  db: Knex;
  config: Config;
  startWorker(queue: TaskQueue): Promise<void>;
  stopWorker(queue: TaskQueue): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(queues: readonly TaskQueue[] = TASK_QUEUES): Promise<Stack> {
  const [db, dev, connection, workflowBundle] = await Promise.all([
    getTestDb(),
    getDevServer(),
    getDevServerNativeConnection(),
    getWorkflowBundle(),
  ]);
  // Quiet tasks reconciled after 2 s: a task cancelled before its first step ends without
  // mirroring itself, and the page must still see it end.
  const config = testConfig({ PROGRESS_MIRROR_INTERVAL_MS: '0', SSE_RECONCILE_SECONDS: '2' });
  const api = await startTestApi({ config, db, temporal: dev.client });
  const running = new Map<TaskQueue, { worker: Worker; done: Promise<void> }>();

  const startWorker = async (queue: TaskQueue) => {
    if (running.has(queue)) return;
    const [worker] = await createWorkers({
      connection,
      namespace: dev.namespace,
      db,
      config,
      settings: { queues: [queue], identity: `e2e-${process.pid}`, concurrency: 2, workflowConcurrency: 10, cacheSize: 20, shutdownGraceSeconds: 0 },
      workflows: { workflowBundle },
    });
    running.set(queue, { worker, done: worker.run() });
  };
  const stopWorker = async (queue: TaskQueue) => {
    const w = running.get(queue);
    if (!w) return;
    running.delete(queue);
    w.worker.shutdown();
    await w.done;
  };
  for (const q of queues) await startWorker(q);
  return {
    api,
    db,
    config,
    startWorker,
    stopWorker,
    async stop() {
      await api.close();
      await Promise.all([...running.keys()].map(stopWorker));
    },
  };
}
