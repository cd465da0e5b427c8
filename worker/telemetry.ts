/**
 * The worker process's Temporal Runtime: every log line — ours, the SDK's, Rust core's,
 * and what workflows and activities write through `log` — becomes one JSON line on
 * stdout, and the SDK's own metrics are served for Prometheus on WORKER_METRICS_PORT.
 *
 * The SDK tags workflow and activity lines with the workflow id, which is our task_id:
 * they are renamed here so a log search for task_id finds API, workflow and activity
 * lines alike. Install once per process, before the first connection or worker.
 */
import { LogTimestamp, Runtime, type LogLevel as SdkLogLevel, type LogMetadata, type Logger as SdkLogger } from '@temporalio/worker';
import type { Logger } from '../platform/logger';

const RENAMED: Record<string, string> = {
  workflowId: 'task_id',
  runId: 'run_id',
  workflowRunId: 'run_id',
  workflowType: 'workflow_type',
  activityType: 'activity_type',
  activityId: 'activity_id',
  taskQueue: 'task_queue',
  sdkComponent: 'sdk_component',
  isLocal: 'is_local',
};
// Opaque or noisy: a task token is a binary handle, never useful in a log search.
const DROPPED = new Set(['taskToken']);

/** SDK metadata → our field names, with errors and bigints made JSON-safe. */
export function toLogFields(meta: LogMetadata | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!meta) return out;
  for (const [key, value] of Object.entries(meta)) {
    if (DROPPED.has(key)) continue;
    out[RENAMED[key] ?? key] = jsonSafe(value);
  }
  return out;
}

function jsonSafe(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** The SDK's Logger interface over our JSON logger (levels: TRACE folds into debug). */
export class JsonRuntimeLogger implements SdkLogger {
  constructor(private readonly logger: Logger) {}

  log(level: SdkLogLevel, message: string, meta?: LogMetadata): void {
    const fields = toLogFields(meta);
    // The SDK buffers lines to sort them; keep the instant it recorded, not the write time.
    const ts = meta?.[LogTimestamp] as bigint | undefined;
    if (typeof ts === 'bigint') fields.time = new Date(Number(ts / 1_000_000n)).toISOString();
    switch (level) {
      case 'ERROR':
        return this.logger.error(message, fields);
      case 'WARN':
        return this.logger.warn(message, fields);
      case 'INFO':
        return this.logger.info(message, fields);
      default:
        return this.logger.debug(message, fields);
    }
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

export interface TelemetrySettings {
  logger: Logger;
  /** 0: no metrics endpoint. */
  metricsPort: number;
  metricsHost: string;
}

/**
 * Runtime.install with our logger and, when a port is set, the SDK's Prometheus exporter
 * (temporal_* metrics: slots, poll latency, activity and workflow outcomes by type).
 * Signals are left to the entry point, which shuts workers down gracefully itself.
 */
export function installWorkerTelemetry(s: TelemetrySettings): Runtime {
  try {
    return install(s);
  } catch (err) {
    const message = (err as Error).message;
    if (/address already in use/i.test(message)) {
      throw new Error(
        `WORKER_METRICS_PORT ${s.metricsPort} is already in use on ${s.metricsHost} ` +
          '(set WORKER_METRICS_PORT to a free port, or 0 to turn the worker metrics endpoint off)',
      );
    }
    throw err;
  }
}

function install(s: TelemetrySettings): Runtime {
  return Runtime.install({
    logger: new JsonRuntimeLogger(s.logger),
    shutdownSignals: [],
    telemetryOptions: {
      // Core's own lines go through the same JSON logger instead of a console format.
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(s.metricsPort > 0 ? { metrics: { prometheus: { bindAddress: `${s.metricsHost}:${s.metricsPort}` } } } : {}),
    },
  });
}
