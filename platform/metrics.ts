/**
 * The API's Prometheus metrics, one registry per app (tests build several apps in one
 * process, and the process-global registry would mix them).
 *
 * Two kinds of numbers:
 * - what this API process saw: request latency and tasks it submitted;
 * - what Postgres says, read at scrape time from task_status: tasks finished (a counter
 *   advanced by a completed_at watermark) and tasks open right now. The workers write
 *   the terminal status, not the API, so the table is the only place every finish is
 *   seen — whichever worker ran it and whether or not a client ever polled it. Every
 *   API replica reports the same table, so aggregate those series with max, not sum.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Knex } from 'knex';
import type { Logger } from './logger';
import { countFinished, countOpen, dbTimeAgo } from '../db/tasks';

export interface ApiMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  tasksSubmitted: Counter<'task_name'>;
}

export interface ApiMetricsOptions {
  /**
   * A finish is counted once its completed_at is this far in the past. completed_at is the
   * writing transaction's start time, so a row can become visible a little after that
   * instant; counting only up to `now() - lag` keeps a slow commit from being skipped.
   */
  finishLagSeconds?: number;
  logger?: Logger;
}


export function createApiMetrics(db: Knex, options: ApiMetricsOptions = {}): ApiMetrics {
  const registry = new Registry();
  const lag = options.finishLagSeconds ?? 5;
  collectDefaultMetrics({ register: registry, prefix: 'statementflow_api_' });

  const httpDuration = new Histogram({
    name: 'statementflow_http_request_duration_seconds',
    help: 'API request latency by route pattern (never the raw path) and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const tasksSubmitted = new Counter({
    name: 'statementflow_tasks_submitted_total',
    help: 'Tasks this API process accepted (202) and started on Temporal, by task name',
    labelNames: ['task_name'] as const,
    registers: [registry],
  });
  const collectFailures = new Counter({
    name: 'statementflow_metrics_db_errors_total',
    help: 'Scrapes whose task_status read failed (task series then keep their last value)',
    registers: [registry],
  });

  // Tasks finished: rows whose completed_at passed the watermark since the last scrape.
  // The first scrape only sets the watermark, so the counter starts at 0 like any counter.
  let watermark: Date | null = null;
  let finishing: Promise<void> = Promise.resolve();
  const finished = new Counter({
    name: 'statementflow_tasks_finished_total',
    help: 'Tasks that reached SUCCESS, FAILED or CANCELLED (read from task_status at scrape time)',
    labelNames: ['task_name', 'status'] as const,
    registers: [registry],
    collect() {
      // Serialized: two overlapping scrapes must not count the same window twice.
      finishing = finishing.then(async () => {
        try {
          const upto = await dbTimeAgo(db, lag);
          if (watermark) {
            for (const c of await countFinished(db, watermark, upto)) finished.inc({ task_name: c.task_name, status: c.status }, c.n);
          }
          watermark = upto;
        } catch (err) {
          collectFailures.inc();
          options.logger?.warn('metrics: task_status read failed', { error: (err as Error).message });
        }
      });
      return finishing;
    },
  });

  // Open tasks right now, and how long the oldest one has waited: a queue nobody polls
  // shows here as a PENDING age that only grows. The partial index on open rows serves it.
  // One read feeds both gauges (prom-client collects them concurrently).
  let openRead: { at: number; done: Promise<void> } | null = null;
  const refreshOpen = (): Promise<void> => {
    if (openRead && Date.now() - openRead.at < 1000) return openRead.done;
    const done = (async () => {
      try {
        const rows = await countOpen(db);
        open.reset();
        oldest.reset();
        const ages = new Map<string, { queue: string; status: string; age: number }>();
        for (const r of rows) {
          open.set({ task_name: r.task_name, queue: r.queue, status: r.status }, Number(r.n));
          const key = `${r.queue}/${r.status}`;
          const age = Math.max(ages.get(key)?.age ?? 0, Number(r.age));
          ages.set(key, { queue: r.queue, status: r.status, age });
        }
        for (const a of ages.values()) oldest.set({ queue: a.queue, status: a.status }, Math.round(a.age * 10) / 10);
      } catch (err) {
        collectFailures.inc();
        options.logger?.warn('metrics: task_status read failed', { error: (err as Error).message });
      }
    })();
    openRead = { at: Date.now(), done };
    return done;
  };
  const open: Gauge<'task_name' | 'queue' | 'status'> = new Gauge({
    name: 'statementflow_tasks_open',
    help: 'Tasks PENDING or PROCESSING now, by task name, queue and status (read from task_status at scrape time)',
    labelNames: ['task_name', 'queue', 'status'] as const,
    registers: [registry],
    collect: () => refreshOpen(),
  });
  const oldest: Gauge<'queue' | 'status'> = new Gauge({
    name: 'statementflow_task_oldest_open_seconds',
    help: 'Age in seconds of the oldest PENDING / PROCESSING task, by queue and status',
    labelNames: ['queue', 'status'] as const,
    registers: [registry],
    collect: () => refreshOpen(),
  });

  return { registry, httpDuration, tasksSubmitted };
}
