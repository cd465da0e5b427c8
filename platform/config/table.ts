/**
 * Every setting, one row each: where it goes in Config (the row's key, nested as Config
 * is), the environment variable, its parser, and its default. The Config type is derived
 * from this table, so a new setting is one new row here (and one line in README.md's
 * table, which a test keeps in step).
 *
 * Defaults are written as they would be in the environment (`'0 2 * * *'`, `25 * 1024 * 1024`)
 * and go through the same parser as a set value, so a default is validated like one.
 */
import type { LogLevel } from '../logger';
import { bool, cron, directory, int, list, matching, num, oneOf, secret, text, timeZone, type Parser } from './parsers';
import { queuePriorityKeys } from './priorities';

/** A default as it would be written in the environment. */
export type RawDefault = string | number | boolean;

/** A production default meaning "none": unset (or blank) in production refuses to start. */
export const REQUIRED = Symbol('required in production');

/** Different defaults outside and in production; "development" is any NODE_ENV but `production`. */
export interface DefaultsByEnvironment {
  development: RawDefault;
  production: RawDefault | typeof REQUIRED;
}

/** One row: an environment variable, how to read it, and what unset means. */
export class Setting<Name extends string = string, T = unknown> {
  /** The default outside production. */
  readonly development: RawDefault;
  /** The default in production (REQUIRED: none). */
  readonly production: RawDefault | typeof REQUIRED;

  constructor(
    readonly env: Name,
    readonly parse: Parser<T>,
    defaults: RawDefault | DefaultsByEnvironment,
  ) {
    this.development = typeof defaults === 'object' ? defaults.development : defaults;
    this.production = typeof defaults === 'object' ? defaults.production : defaults;
  }
}

function row<const Name extends string, T>(env: Name, parse: Parser<T>, defaults: RawDefault | DefaultsByEnvironment): Setting<Name, T> {
  return new Setting(env, parse, defaults);
}

/** Known to anyone reading this repository: fine on a laptop, refused in production. */
const DEVELOPMENT_JWT_SECRET = 'statementflow-development-secret-change-me';
/** The same, for the key that seals upload passwords and webhook secrets at rest. */
const DEVELOPMENT_FILE_SECRET_KEY = 'statementflow-development-file-key-change-me';
/** 0 is allowed where it means something: the OS picks a free API port; no worker metrics endpoint. */
const PORT = int(0, 65535);
/** The embedded servers' ports: clients are given them as the address, so 0 ("any free port") cannot work. */
const FIXED_PORT = int(1, 65535);

export const SETTINGS = {
  nodeEnv: row('NODE_ENV', text, 'development'),
  port: row('PORT', PORT, 8000),
  host: row('HOST', text, '0.0.0.0'),
  dataDir: row('DATA_DIR', directory, '.data'),
  /** Empty: `npm start` runs an embedded Postgres. The value is left out of error messages: it holds a password. */
  databaseUrl: row('DATABASE_URL', matching(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://', { hideValue: true }), ''),
  embeddedPgPort: row('EMBEDDED_PG_PORT', FIXED_PORT, 54329),
  /** Empty: `npm start` runs the Temporal dev server. */
  temporalAddress: row('TEMPORAL_ADDRESS', matching(/^[\w.-]+:\d+$/, 'must look like host:port'), ''),
  temporalNamespace: row('TEMPORAL_NAMESPACE', text, 'default'),
  temporalPort: row('TEMPORAL_PORT', FIXED_PORT, 7233),
  temporalUiPort: row('TEMPORAL_UI_PORT', FIXED_PORT, 8233),
  jwtSecret: row(
    'JWT_SECRET',
    secret({ minLength: 16, productionMinBytes: 32, published: [DEVELOPMENT_JWT_SECRET] }),
    { development: DEVELOPMENT_JWT_SECRET, production: REQUIRED },
  ),
  /**
   * Seals what must be kept but never read back in the clear (a statement's password, a
   * webhook's signing secret): AES-256-GCM under keys derived from it (platform/secret-box.ts).
   */
  fileSecretKey: row(
    'FILE_SECRET_KEY',
    secret({ minLength: 16, productionMinBytes: 32, published: [DEVELOPMENT_FILE_SECRET_KEY] }),
    { development: DEVELOPMENT_FILE_SECRET_KEY, production: REQUIRED },
  ),
  jwtTtlSeconds: row('JWT_TTL_SECONDS', int(60), 24 * 3600),
  /** When set, tokens must carry this `iss` (and the service's own tokens do). */
  jwtIssuer: row('JWT_ISSUER', text, ''),
  /** When set, tokens must carry this `aud` (and the service's own tokens do). */
  jwtAudience: row('JWT_AUDIENCE', text, ''),
  /**
   * POST /dev/token, which mints a token for whoever asks from this machine: `npm start`
   * turns it on for the person at the keyboard; production refuses to start with it.
   */
  devTokenEndpoint: row('DEV_TOKEN_ENDPOINT', bool, false),
  corsOrigins: row('CORS_ORIGINS', list, 'http://localhost:3000,http://localhost:5173'),
  maxUploadBytes: row('MAX_UPLOAD_BYTES', int(1024), 25 * 1024 * 1024),
  /** Statements in one upload request (a batch: one task per file), each within MAX_UPLOAD_BYTES. */
  maxFilesPerUpload: row('MAX_FILES_PER_UPLOAD', int(1, 200), 24),
  /**
   * Uploads received at once per API process; more wait for a slot (below), then answer 503
   * UPLOADS_BUSY. Each is held in memory while it arrives: 8 × 25 MB bounds that at 200 MB.
   */
  maxConcurrentUploads: row('MAX_CONCURRENT_UPLOADS', int(1, 10_000), 8),
  uploadWaitSeconds: row('UPLOAD_WAIT_SECONDS', int(0, 3600), 30),
  maxConcurrentUploadsPerUser: row('MAX_CONCURRENT_UPLOADS_PER_USER', int(1, 10_000), 4),
  maxJsonBytes: row('MAX_JSON_BYTES', int(1024), 1024 * 1024),
  resultTtlSeconds: row('RESULT_TTL_SECONDS', int(1), 3600),
  /** Three retries after the first try, from 60 s, doubling. Temporal counts attempts, so 1 + 3 = 4. */
  retry: {
    maximumAttempts: row('RETRY_MAX_ATTEMPTS', int(1, 100), 4),
    initialIntervalSeconds: row('RETRY_INITIAL_INTERVAL_SECONDS', num(0.01, 86400), 60),
    backoffCoefficient: row('RETRY_BACKOFF_COEFFICIENT', num(1, 100), 2),
    maximumIntervalSeconds: row('RETRY_MAX_INTERVAL_SECONDS', num(0.01, 86400), 600),
  },
  softTimeLimitSeconds: row('SOFT_TIME_LIMIT_SECONDS', int(1), 25 * 60),
  hardTimeLimitSeconds: row('HARD_TIME_LIMIT_SECONDS', int(1), 30 * 60),
  activityStartToCloseSeconds: row('ACTIVITY_START_TO_CLOSE_SECONDS', int(1), 10 * 60),
  /** Short, so a cancel or a dead worker is noticed within seconds. */
  activityHeartbeatTimeoutSeconds: row('ACTIVITY_HEARTBEAT_TIMEOUT_SECONDS', int(1), 5),
  progressMirrorIntervalMs: row('PROGRESS_MIRROR_INTERVAL_MS', int(0), 500),
  /**
   * How often each API process settles tasks whose start nobody confirmed (platform/task-reconcile.ts).
   * A row is called lost 40 s after its submission, so the default settles it within a minute.
   */
  submissionSweepSeconds: row('SUBMISSION_SWEEP_SECONDS', int(1, 60), 20),
  worker: {
    concurrency: row('WORKER_CONCURRENCY', int(1, 1000), 4),
    workflowConcurrency: row('WORKER_WORKFLOW_CONCURRENCY', int(2, 10000), 40),
    cacheSize: row('WORKER_CACHE_SIZE', int(0, 100000), 250),
    shutdownGraceSeconds: row('WORKER_SHUTDOWN_GRACE_SECONDS', int(0, 3600), 30),
    /** 0: no Prometheus endpoint on the worker. */
    metricsPort: row('WORKER_METRICS_PORT', PORT, 9464),
    /** The worker's endpoint has no authentication, so it stays on loopback unless told otherwise. */
    metricsHost: row('WORKER_METRICS_HOST', text, '127.0.0.1'),
  },
  /** Bearer token for the API's /metrics (scrapers send `Authorization: Bearer <token>`); empty = endpoint off (404). */
  metricsToken: row('METRICS_TOKEN', secret({ minLength: 16, emptyTurnsOff: 'turn /metrics off' }), ''),
  /**
   * Temporal priority key (1 = first … 5 = last) stamped on each queue's tasks at submission,
   * from weights per queue (higher = more urgent).
   */
  queuePriorityKeys: row('TASK_PRIORITIES', (s) => queuePriorityKeys(s), 'pdf_processing:10,reports:5,default:1'),
  pdf: {
    pagesPerChunk: row('PDF_PAGES_PER_CHUNK', int(1, 1000), 50),
    /**
     * Up to this many pages a statement is read in one activity (opened once, no chunk
     * round trips): a 4-page statement's upload-to-SUCCESS time is mostly those steps.
     * Longer ones, and scans for OCR, are extracted in chunks, each kept. 0 = always chunk.
     */
    fastPathMaxPages: row('PDF_FAST_PATH_MAX_PAGES', int(0, 1000), 20),
    maxPages: row('PDF_MAX_PAGES', int(1), 5000),
    /** The pdf.js thread's bounds (domain/statements/pdf/thread.ts): over one, the document fails PDF_TOO_COMPLEX. */
    openTimeoutMs: row('PDF_OPEN_TIMEOUT_MS', int(100, 600_000), 10_000),
    /** Per page of text, granted as each page is done: a page takes 10-20 ms here, a hostile one seconds. */
    pageTimeoutMs: row('PDF_PAGE_TIMEOUT_MS', int(10, 600_000), 1000),
    /** One page rendered for OCR: 1-1.5 s here. */
    renderTimeoutMs: row('PDF_RENDER_TIMEOUT_MS', int(100, 3_600_000), 30_000),
    /** Heap cap of the pdf.js thread: 500 pages of text peak at ~64 MB. */
    threadMemoryMb: row('PDF_THREAD_MEMORY_MB', int(64, 65_536), 512),
    /**
     * pdf.js threads a worker reads a long statement's chunks with, at once, each on a core
     * (the workflow runs two chunks per thread at once). Each running one carries its own
     * heap; the worker's peak is its parse step's, when they are stopped (bench/RESULTS.md).
     */
    textThreads: row('PDF_TEXT_THREADS', int(1, 16), 2),
    /** A pdf_processing worker reads a generated statement's text before it polls (worker/warm-up.ts). */
    warmUp: row('PDF_WARM_UP', bool, true),
  },
  ocr: {
    enabled: row('OCR_ENABLED', bool, true),
    maxPages: row('OCR_MAX_PAGES', int(1), 50),
    concurrency: row('OCR_CONCURRENCY', int(1, 64), 1),
  },
  rules: {
    chunkRows: row('CATEGORIZE_CHUNK_ROWS', int(1), 50_000),
    maxRules: row('RULES_MAX', int(1, 10000), 500),
    statementTimeoutMs: row('RULE_STATEMENT_TIMEOUT_MS', int(100), 30_000),
    /** Sessions up to this many rows are previewed at once (POST /sessions/{id}/categorize/preview); larger ones get a task. */
    previewMaxRows: row('PREVIEW_MAX_ROWS', int(1, 10_000_000), 50_000),
  },
  reports: {
    maxRows: row('REPORT_MAX_ROWS', int(1), 2_000_000),
    vatRatePercent: row('VAT_RATE_PERCENT', num(0, 100), 15),
    vatCategories: row('VAT_CATEGORIES', list, 'Fuel,Groceries,Utilities,Transport,Entertainment,Clothing,Dining,Travel'),
  },
  cleanup: {
    cron: row('CLEANUP_CRON', cron, '0 2 * * *'),
    timezone: row('CLEANUP_TIMEZONE', timeZone, 'UTC'),
    scheduleId: row('CLEANUP_SCHEDULE_ID', text, 'cleanup-old-results'),
    batchSize: row('CLEANUP_BATCH_SIZE', int(1, 100000), 500),
    taskRetentionDays: row('TASK_RETENTION_DAYS', int(1), 30),
    reportRetentionDays: row('REPORT_RETENTION_DAYS', int(1), 7),
    uploadRetentionDays: row('UPLOAD_RETENTION_DAYS', int(1), 7),
    /** 0: sessions are kept until their owner deletes them (DELETE /sessions/{id}). */
    sessionRetentionDays: row('SESSION_RETENTION_DAYS', int(0), 0),
  },
  /** Deliveries of task events to a client's callback URL (docs/webhooks.md). */
  webhooks: {
    /** Registered webhooks per user (POST /webhooks). */
    maxPerUser: row('WEBHOOKS_MAX_PER_USER', int(1, 1000), 10),
    /** One delivery attempt: connect, send and read the answer. */
    timeoutMs: row('WEBHOOK_TIMEOUT_MS', int(100, 60_000), 5000),
    /** Of a receiver's answer at most this much is read (and kept, for GET /tasks/{id}/deliveries). */
    maxResponseBytes: row('WEBHOOK_MAX_RESPONSE_BYTES', int(0, 65_536), 4096),
    /** A failing receiver is retried with exponential backoff for this long, then the delivery is given up. */
    retryHours: row('WEBHOOK_RETRY_HOURS', num(0.001, 168), 24),
    /**
     * Callback URLs that resolve to loopback, private, link-local or metadata addresses, and
     * plain http: allowed on a laptop (a receiver on localhost), refused in production.
     */
    allowPrivateAddresses: row('WEBHOOK_ALLOW_PRIVATE_ADDRESSES', bool, { development: true, production: false }),
  },
  logLevel: row('LOG_LEVEL', oneOf<LogLevel>(['debug', 'info', 'warn', 'error']), 'info'),
  /** Server-Sent Events of task progress (GET /tasks/{id}/events). */
  events: {
    /** A comment line this often keeps proxies from closing an idle stream. */
    heartbeatSeconds: row('SSE_HEARTBEAT_SECONDS', int(1, 300), 15),
    retryMs: row('SSE_RETRY_MS', int(100, 60_000), 3000),
    /** Per API process; beyond it new streams get 503. */
    maxStreams: row('SSE_MAX_STREAMS', int(1, 100_000), 2000),
    maxStreamsPerUser: row('SSE_MAX_STREAMS_PER_USER', int(1, 100_000), 50),
    /** A watched task quiet this long is checked against its workflow once: one terminated from outside never writes its final status. */
    reconcileSeconds: row('SSE_RECONCILE_SECONDS', int(1, 3600), 30),
    /** Stream tokens travel in the query string (EventSource cannot send headers), where logs keep them: 5 minutes at most. */
    streamTokenTtlSeconds: row('STREAM_TOKEN_TTL_SECONDS', int(10, 300), 300),
  },
};

/** The values the table gives: each row's key holds its parser's result, nested as in the table. */
export type TableValues<T> = { -readonly [K in keyof T]: T[K] extends Setting<string, infer V> ? V : TableValues<T[K]> };
/** Every environment variable in the table. */
export type SettingName<T = typeof SETTINGS> = { [K in keyof T]: T[K] extends Setting<infer N, unknown> ? N : SettingName<T[K]> }[keyof T];

/** Rules between rows, checked once every row has parsed: a message when broken. */
export const CROSS_CHECKS: ReadonlyArray<(values: TableValues<typeof SETTINGS>) => string | undefined> = [
  // A token for anyone who asks has no place on a production server.
  (v) => (v.nodeEnv === 'production' && v.devTokenEndpoint ? 'DEV_TOKEN_ENDPOINT cannot be on when NODE_ENV=production' : undefined),
  // The soft limit lets the workflow clean up before the hard one ends it.
  (v) => (v.hardTimeLimitSeconds <= v.softTimeLimitSeconds ? 'HARD_TIME_LIMIT_SECONDS must be greater than SOFT_TIME_LIMIT_SECONDS' : undefined),
];
