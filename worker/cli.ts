/**
 * The worker's command line, in the Celery worker's terms: `--queues=a,b` and `--concurrency=N`,
 * plus the Temporal-specific knobs. Defaults come from configuration.
 */
import { parseArgs } from 'node:util';
import { TASK_QUEUES, type Config, type TaskQueue } from '../platform/config';
import type { WorkerSettings } from './create-workers';

export const WORKER_HELP = `Usage: npm run worker -- [options]

Polls Statementflow's Temporal task queues and runs their workflows and activities.

  --queues=LIST              comma-separated subset of: ${TASK_QUEUES.join(', ')}
                             (default: all four). Each queue gets its own slots. Weights
                             like pdf_processing:10 are accepted and ignored with a note:
                             Temporal priority is set per task at submission
                             (TASK_PRIORITIES); see docs/operations.md "Queue priority".
  --concurrency=N            activity slots per queue (default WORKER_CONCURRENCY)
  --workflow-concurrency=N   workflow-task slots per queue (default WORKER_WORKFLOW_CONCURRENCY)
  --cache-size=N             workflows kept in the sticky cache (default WORKER_CACHE_SIZE)
  --identity=NAME            worker identity shown in the Web UI (default host and pid)
  --grace=SECONDS            on SIGTERM, time running activities get to finish (default WORKER_SHUTDOWN_GRACE_SECONDS)
  --loglevel=LEVEL           debug, info, warn or error (default LOG_LEVEL)
  --no-schedules             do not create or update the cleanup schedule at start
  -h, --help                 show this help

Environment: DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and the rest of the
configuration table in README.md.
`;

export class UsageError extends Error {}

export interface WorkerCli {
  help: boolean;
  settings: WorkerSettings;
  schedules: boolean;
  priorityNote?: string;
  /** --loglevel, the Celery worker's flag; overrides LOG_LEVEL for this process. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

function positiveInt(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
  return Number(value);
}

export function parseWorkerArgs(argv: string[], config: Config): WorkerCli {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        queues: { type: 'string' },
        concurrency: { type: 'string' },
        'workflow-concurrency': { type: 'string' },
        'cache-size': { type: 'string' },
        identity: { type: 'string' },
        grace: { type: 'string' },
        loglevel: { type: 'string' },
        'no-schedules': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  let queues: TaskQueue[] = [...TASK_QUEUES];
  let priorityNote: string | undefined;
  if (v.queues !== undefined) {
    const names = v.queues.split(',').map((s) => s.trim()).filter(Boolean);
    if (names.length === 0) throw new UsageError('--queues needs at least one queue name');
    queues = [];
    for (const entry of names) {
      const [name, priority] = entry.split(':');
      if (!(TASK_QUEUES as readonly string[]).includes(name)) {
        throw new UsageError(`unknown queue ${JSON.stringify(name)}; known queues: ${TASK_QUEUES.join(', ')}`);
      }
      if (priority !== undefined) {
        if (!/^\d+$/.test(priority)) throw new UsageError(`queue priority for ${name} must be a whole number`);
        priorityNote =
          'queue weights on the worker command line are not used: each polled queue has its own slots, and Temporal orders ' +
          'tasks by the priority key set at submission (TASK_PRIORITIES); see docs/operations.md "Queue priority"';
      }
      if (!queues.includes(name as TaskQueue)) queues.push(name as TaskQueue);
    }
  }
  const logLevel = v.loglevel?.toLowerCase();
  if (logLevel !== undefined && !['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new UsageError(`--loglevel must be debug, info, warn or error, got ${JSON.stringify(v.loglevel)}`);
  }
  return {
    help: Boolean(v.help),
    logLevel: logLevel as WorkerCli['logLevel'],
    schedules: !v['no-schedules'],
    priorityNote,
    settings: {
      queues,
      concurrency: positiveInt(v.concurrency, 'concurrency', config.worker.concurrency),
      workflowConcurrency: positiveInt(v['workflow-concurrency'], 'workflow-concurrency', config.worker.workflowConcurrency, 2),
      cacheSize: positiveInt(v['cache-size'], 'cache-size', config.worker.cacheSize, 0),
      identity: v.identity,
      shutdownGraceSeconds: positiveInt(v.grace, 'grace', config.worker.shutdownGraceSeconds, 0),
    },
  };
}
