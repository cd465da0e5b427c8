/**
 * Configuration, read from the environment once and validated at start.
 * Every default lives in DEFAULTS below, so this file is the one place to read them.
 * A bad value throws ConfigError with one line naming the variable and what is expected;
 * entry points print that line and exit 1.
 */
import path from 'node:path';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const TASK_QUEUES = ['pdf_processing', 'bulk_operations', 'reports', 'default'] as const;
export type TaskQueue = (typeof TASK_QUEUES)[number];

const DEFAULTS = {
  NODE_ENV: 'development',
  PORT: 8000,
  HOST: '0.0.0.0',
  DATA_DIR: '.data',
  DATABASE_URL: '', // empty: `npm start` uses the embedded Postgres
  EMBEDDED_PG_PORT: 54329,
  TEMPORAL_ADDRESS: '', // empty: `npm start` uses the embedded dev server
  TEMPORAL_NAMESPACE: 'default',
  TEMPORAL_PORT: 7233,
  TEMPORAL_UI_PORT: 8233,
  JWT_SECRET: 'statementflow-development-secret-change-me',
  JWT_TTL_SECONDS: 24 * 3600,
  CORS_ORIGINS: 'http://localhost:3000,http://localhost:5173',
  MAX_UPLOAD_BYTES: 25 * 1024 * 1024,
  // Uploads are held in memory while they arrive: 8 × 25 MB bounds that at 200 MB per API process.
  MAX_CONCURRENT_UPLOADS: 8,
  UPLOAD_WAIT_SECONDS: 30,
  MAX_JSON_BYTES: 1024 * 1024,
  RESULT_TTL_SECONDS: 3600,
  // Celery: retry 3 times, 60 s, exponential. Temporal counts attempts, so 1 + 3 = 4.
  RETRY_MAX_ATTEMPTS: 4,
  RETRY_INITIAL_INTERVAL_SECONDS: 60,
  RETRY_BACKOFF_COEFFICIENT: 2,
  RETRY_MAX_INTERVAL_SECONDS: 600,
  SOFT_TIME_LIMIT_SECONDS: 25 * 60,
  HARD_TIME_LIMIT_SECONDS: 30 * 60,
  ACTIVITY_START_TO_CLOSE_SECONDS: 10 * 60,
  // Short, so a cancel or a dead worker is noticed within seconds.
  ACTIVITY_HEARTBEAT_TIMEOUT_SECONDS: 5,
  PROGRESS_MIRROR_INTERVAL_MS: 500,
  WORKER_CONCURRENCY: 4,
  WORKER_WORKFLOW_CONCURRENCY: 40,
  WORKER_CACHE_SIZE: 250,
  WORKER_SHUTDOWN_GRACE_SECONDS: 30,
  PDF_PAGES_PER_CHUNK: 50,
  PDF_MAX_PAGES: 5000,
  OCR_ENABLED: true,
  OCR_MAX_PAGES: 50,
  OCR_CONCURRENCY: 1,
  CATEGORIZE_CHUNK_ROWS: 50_000,
  RULES_MAX: 500,
  RULE_STATEMENT_TIMEOUT_MS: 30_000,
  REPORT_MAX_ROWS: 2_000_000,
  VAT_RATE_PERCENT: 15,
  VAT_CATEGORIES: 'Fuel,Groceries,Utilities,Transport,Entertainment,Clothing,Dining,Travel',
  CLEANUP_CRON: '0 2 * * *',
  CLEANUP_TIMEZONE: 'UTC',
  CLEANUP_SCHEDULE_ID: 'cleanup-old-results',
  CLEANUP_BATCH_SIZE: 500,
  TASK_RETENTION_DAYS: 30,
  REPORT_RETENTION_DAYS: 7,
  UPLOAD_RETENTION_DAYS: 7,
  LOG_LEVEL: 'info',
  WORKER_METRICS_PORT: 9464, // 0: no Prometheus endpoint on the worker
  WORKER_METRICS_HOST: '127.0.0.1',
  // Empty: the API's /metrics answers 404. Set: scrapers send `Authorization: Bearer <token>`.
  METRICS_TOKEN: '',
  // The seed's queue weights (higher = more urgent), turned into Temporal priority keys at submission.
  TASK_PRIORITIES: 'pdf_processing:10,reports:5,default:1',
  // Live progress (GET /tasks/{id}/events): a comment line this often keeps proxies from
  // closing an idle stream; query-string stream tokens live at most 5 minutes.
  SSE_HEARTBEAT_SECONDS: 15,
  SSE_RETRY_MS: 3000,
  SSE_MAX_STREAMS: 2000, // per API process; beyond it new streams get 503
  // A watched task quiet this long is checked with Temporal once (it may have closed unmirrored).
  SSE_RECONCILE_SECONDS: 30,
  STREAM_TOKEN_TTL_SECONDS: 300,
} as const;

export interface Config {
  nodeEnv: string;
  isProduction: boolean;
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string;
  embeddedPgPort: number;
  temporalAddress: string;
  temporalNamespace: string;
  temporalPort: number;
  temporalUiPort: number;
  jwtSecret: string;
  jwtSecretIsDefault: boolean;
  jwtTtlSeconds: number;
  corsOrigins: string[];
  maxUploadBytes: number;
  /** Uploads received at once per API process; more wait for a slot (below), then answer 503 UPLOADS_BUSY. */
  maxConcurrentUploads: number;
  uploadWaitSeconds: number;
  maxJsonBytes: number;
  resultTtlSeconds: number;
  retry: {
    maximumAttempts: number;
    initialIntervalSeconds: number;
    backoffCoefficient: number;
    maximumIntervalSeconds: number;
  };
  softTimeLimitSeconds: number;
  hardTimeLimitSeconds: number;
  activityStartToCloseSeconds: number;
  activityHeartbeatTimeoutSeconds: number;
  progressMirrorIntervalMs: number;
  worker: {
    concurrency: number;
    workflowConcurrency: number;
    cacheSize: number;
    shutdownGraceSeconds: number;
    metricsPort: number;
    metricsHost: string;
  };
  /** Bearer token for the API's /metrics; empty = endpoint off. */
  metricsToken: string;
  /** Temporal priority key (1 = first … 5 = last) stamped on each queue's tasks at submission. */
  queuePriorityKeys: Record<TaskQueue, number>;
  pdf: { pagesPerChunk: number; maxPages: number };
  ocr: { enabled: boolean; maxPages: number; concurrency: number };
  rules: { chunkRows: number; maxRules: number; statementTimeoutMs: number };
  reports: { maxRows: number; vatRatePercent: number; vatCategories: string[] };
  cleanup: {
    cron: string;
    timezone: string;
    scheduleId: string;
    batchSize: number;
    taskRetentionDays: number;
    reportRetentionDays: number;
    uploadRetentionDays: number;
  };
  logLevel: string;
  /** Server-Sent Events of task progress. */
  events: { heartbeatSeconds: number; retryMs: number; maxStreams: number; reconcileSeconds: number; streamTokenTtlSeconds: number };
}

type Env = Record<string, string | undefined>;

function raw(env: Env, name: keyof typeof DEFAULTS): string {
  const v = env[name];
  return v === undefined || v.trim() === '' ? String(DEFAULTS[name]) : v.trim();
}

function int(env: Env, name: keyof typeof DEFAULTS, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const s = raw(env, name);
  if (!/^-?\d+$/.test(s)) throw new ConfigError(`${name}=${JSON.stringify(s)} is not a whole number`);
  const n = Number(s);
  if (n < min || n > max) throw new ConfigError(`${name}=${n} must be between ${min} and ${max}`);
  return n;
}

function num(env: Env, name: keyof typeof DEFAULTS, min: number, max: number): number {
  const s = raw(env, name);
  const n = Number(s);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new ConfigError(`${name}=${JSON.stringify(s)} must be a number between ${min} and ${max}`);
  }
  return n;
}

function bool(env: Env, name: keyof typeof DEFAULTS): boolean {
  const s = raw(env, name).toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  throw new ConfigError(`${name}=${JSON.stringify(s)} must be true or false`);
}

function list(env: Env, name: keyof typeof DEFAULTS): string[] {
  return raw(env, name)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function metricsToken(env: Env): string {
  const token = env.METRICS_TOKEN?.trim() ?? '';
  if (token && token.length < 16) throw new ConfigError('METRICS_TOKEN must be at least 16 characters (or empty to turn /metrics off)');
  return token;
}

/** Temporal's default priority range is 1..5 (1 runs first); a task without a key counts as 3. */
export const PRIORITY_KEY_FIRST = 1;
export const PRIORITY_KEY_LAST = 5;
export const PRIORITY_KEY_DEFAULT = 3;

/**
 * `pdf_processing:10,reports:5,default:1` (the seed's habit: higher weight = more urgent) →
 * a Temporal priority key per queue: the highest weight gets 1, the lowest 5, linear in
 * between; a queue not listed (or all weights equal) keeps Temporal's default, 3.
 */
export function queuePriorityKeys(spec: string): Record<TaskQueue, number> {
  const weights = new Map<TaskQueue, number>();
  for (const entry of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z_]+):(\d{1,4})$/.exec(entry);
    if (!m || !(TASK_QUEUES as readonly string[]).includes(m[1])) {
      throw new ConfigError(`TASK_PRIORITIES entry ${JSON.stringify(entry)} must be queue:weight with a queue of ${TASK_QUEUES.join(', ')}`);
    }
    weights.set(m[1] as TaskQueue, Number(m[2]));
  }
  const values = [...weights.values()];
  const max = Math.max(...values);
  const min = Math.min(...values);
  const span = PRIORITY_KEY_LAST - PRIORITY_KEY_FIRST;
  const keys = {} as Record<TaskQueue, number>;
  for (const q of TASK_QUEUES) {
    const w = weights.get(q);
    keys[q] = w === undefined || max === min ? PRIORITY_KEY_DEFAULT : PRIORITY_KEY_FIRST + Math.round((span * (max - w)) / (max - min));
  }
  return keys;
}

/** Secrets published in this repository (the development default, the example files' placeholders). */
const PUBLISHED_SECRET = /change-?me/i;
const MIN_PRODUCTION_SECRET_BYTES = 32;

/**
 * In production a secret anyone can read in this repository, or one short enough to guess
 * offline from a single token, lets anyone in: refused at start, in one line.
 */
function productionSecrets(jwtSecret: string, metricsToken: string): void {
  if (jwtSecret === DEFAULTS.JWT_SECRET || PUBLISHED_SECRET.test(jwtSecret)) {
    throw new ConfigError('JWT_SECRET is a published example value; set a random one (openssl rand -hex 32) when NODE_ENV=production');
  }
  if (Buffer.byteLength(jwtSecret) < MIN_PRODUCTION_SECRET_BYTES) {
    throw new ConfigError(`JWT_SECRET must be at least ${MIN_PRODUCTION_SECRET_BYTES} bytes when NODE_ENV=production (openssl rand -hex 32)`);
  }
  if (metricsToken && PUBLISHED_SECRET.test(metricsToken)) {
    throw new ConfigError('METRICS_TOKEN is a published example value; set a random one (openssl rand -hex 32) or leave it empty');
  }
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = raw(env, 'NODE_ENV');
  const isProduction = nodeEnv === 'production';
  const jwtSecretIsDefault = !env.JWT_SECRET || env.JWT_SECRET.trim() === '';
  if (isProduction && jwtSecretIsDefault) {
    throw new ConfigError('JWT_SECRET is required when NODE_ENV=production');
  }
  const jwtSecret = raw(env, 'JWT_SECRET');
  if (!jwtSecretIsDefault && jwtSecret.length < 16) {
    throw new ConfigError('JWT_SECRET must be at least 16 characters');
  }
  if (isProduction) productionSecrets(jwtSecret, env.METRICS_TOKEN?.trim() ?? '');
  const databaseUrl = raw(env, 'DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must start with postgres:// or postgresql://`);
  }
  const temporalAddress = raw(env, 'TEMPORAL_ADDRESS');
  if (temporalAddress && !/^[\w.-]+:\d+$/.test(temporalAddress)) {
    throw new ConfigError(`TEMPORAL_ADDRESS=${JSON.stringify(temporalAddress)} must look like host:port`);
  }
  const timezone = raw(env, 'CLEANUP_TIMEZONE');
  if (!validTimezone(timezone)) throw new ConfigError(`CLEANUP_TIMEZONE=${JSON.stringify(timezone)} is not an IANA time zone`);
  const cron = raw(env, 'CLEANUP_CRON');
  if (cron.split(/\s+/).length !== 5) throw new ConfigError(`CLEANUP_CRON=${JSON.stringify(cron)} must have 5 fields`);
  const logLevel = raw(env, 'LOG_LEVEL');
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL=${JSON.stringify(logLevel)} must be debug, info, warn or error`);
  }
  const softTimeLimitSeconds = int(env, 'SOFT_TIME_LIMIT_SECONDS', 1);
  const hardTimeLimitSeconds = int(env, 'HARD_TIME_LIMIT_SECONDS', 1);
  if (hardTimeLimitSeconds <= softTimeLimitSeconds) {
    throw new ConfigError('HARD_TIME_LIMIT_SECONDS must be greater than SOFT_TIME_LIMIT_SECONDS');
  }

  return {
    nodeEnv,
    isProduction,
    port: int(env, 'PORT', 0, 65535),
    host: raw(env, 'HOST'),
    dataDir: path.resolve(raw(env, 'DATA_DIR')),
    databaseUrl,
    embeddedPgPort: int(env, 'EMBEDDED_PG_PORT', 1, 65535),
    temporalAddress,
    temporalNamespace: raw(env, 'TEMPORAL_NAMESPACE'),
    temporalPort: int(env, 'TEMPORAL_PORT', 1, 65535),
    temporalUiPort: int(env, 'TEMPORAL_UI_PORT', 1, 65535),
    jwtSecret,
    jwtSecretIsDefault,
    jwtTtlSeconds: int(env, 'JWT_TTL_SECONDS', 60),
    corsOrigins: list(env, 'CORS_ORIGINS'),
    maxUploadBytes: int(env, 'MAX_UPLOAD_BYTES', 1024),
    maxConcurrentUploads: int(env, 'MAX_CONCURRENT_UPLOADS', 1, 10_000),
    uploadWaitSeconds: int(env, 'UPLOAD_WAIT_SECONDS', 0, 3600),
    maxJsonBytes: int(env, 'MAX_JSON_BYTES', 1024),
    resultTtlSeconds: int(env, 'RESULT_TTL_SECONDS', 1),
    retry: {
      maximumAttempts: int(env, 'RETRY_MAX_ATTEMPTS', 1, 100),
      initialIntervalSeconds: num(env, 'RETRY_INITIAL_INTERVAL_SECONDS', 0.01, 86400),
      backoffCoefficient: num(env, 'RETRY_BACKOFF_COEFFICIENT', 1, 100),
      maximumIntervalSeconds: num(env, 'RETRY_MAX_INTERVAL_SECONDS', 0.01, 86400),
    },
    softTimeLimitSeconds,
    hardTimeLimitSeconds,
    activityStartToCloseSeconds: int(env, 'ACTIVITY_START_TO_CLOSE_SECONDS', 1),
    activityHeartbeatTimeoutSeconds: int(env, 'ACTIVITY_HEARTBEAT_TIMEOUT_SECONDS', 1),
    progressMirrorIntervalMs: int(env, 'PROGRESS_MIRROR_INTERVAL_MS', 0),
    worker: {
      concurrency: int(env, 'WORKER_CONCURRENCY', 1, 1000),
      workflowConcurrency: int(env, 'WORKER_WORKFLOW_CONCURRENCY', 2, 10000),
      cacheSize: int(env, 'WORKER_CACHE_SIZE', 0, 100000),
      shutdownGraceSeconds: int(env, 'WORKER_SHUTDOWN_GRACE_SECONDS', 0, 3600),
      metricsPort: int(env, 'WORKER_METRICS_PORT', 0, 65535),
      metricsHost: raw(env, 'WORKER_METRICS_HOST'),
    },
    metricsToken: metricsToken(env),
    queuePriorityKeys: queuePriorityKeys(raw(env, 'TASK_PRIORITIES')),
    pdf: { pagesPerChunk: int(env, 'PDF_PAGES_PER_CHUNK', 1, 1000), maxPages: int(env, 'PDF_MAX_PAGES', 1) },
    ocr: {
      enabled: bool(env, 'OCR_ENABLED'),
      maxPages: int(env, 'OCR_MAX_PAGES', 1),
      concurrency: int(env, 'OCR_CONCURRENCY', 1, 64),
    },
    rules: {
      chunkRows: int(env, 'CATEGORIZE_CHUNK_ROWS', 1),
      maxRules: int(env, 'RULES_MAX', 1, 10000),
      statementTimeoutMs: int(env, 'RULE_STATEMENT_TIMEOUT_MS', 100),
    },
    reports: {
      maxRows: int(env, 'REPORT_MAX_ROWS', 1),
      vatRatePercent: num(env, 'VAT_RATE_PERCENT', 0, 100),
      vatCategories: list(env, 'VAT_CATEGORIES'),
    },
    cleanup: {
      cron,
      timezone,
      scheduleId: raw(env, 'CLEANUP_SCHEDULE_ID'),
      batchSize: int(env, 'CLEANUP_BATCH_SIZE', 1, 100000),
      taskRetentionDays: int(env, 'TASK_RETENTION_DAYS', 1),
      reportRetentionDays: int(env, 'REPORT_RETENTION_DAYS', 1),
      uploadRetentionDays: int(env, 'UPLOAD_RETENTION_DAYS', 1),
    },
    logLevel,
    events: {
      heartbeatSeconds: int(env, 'SSE_HEARTBEAT_SECONDS', 1, 300),
      retryMs: int(env, 'SSE_RETRY_MS', 100, 60_000),
      maxStreams: int(env, 'SSE_MAX_STREAMS', 1, 100_000),
      reconcileSeconds: int(env, 'SSE_RECONCILE_SECONDS', 1, 3600),
      streamTokenTtlSeconds: int(env, 'STREAM_TOKEN_TTL_SECONDS', 10, 300),
    },
  };
}

/** For entry points: load, or print the one-line reason and exit 1. */
export function loadConfigOrExit(env: Env = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`statementflow: configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/**
 * For entry points that run on shared infrastructure (not `npm start`): one line naming
 * what is missing and where to get it, and exit 1.
 */
export function requireInfrastructure(
  config: Config,
  command: string,
  needs: { database?: boolean; temporal?: boolean },
  /** The command also finds the embedded servers of a running `npm start` (core/runtime/running-infra.ts). */
  besideStart = false,
): void {
  const missing = [
    ...(needs.database && !config.databaseUrl ? ['DATABASE_URL'] : []),
    ...(needs.temporal && !config.temporalAddress ? ['TEMPORAL_ADDRESS'] : []),
  ];
  if (missing.length === 0) return;
  const how = besideStart
    ? `set it (\`npm run infra\` prints the lines), or run it while \`npm start\` or \`npm run infra\` is running on DATA_DIR ${config.dataDir}`
    : `(\`npm run infra\` prints them), or use \`npm start\``;
  process.stderr.write(`statementflow: ${command} needs ${missing.join(' and ')}: ${how}\n`);
  process.exit(1);
}

export { DEFAULTS as CONFIG_DEFAULTS };
