/**
 * The OpenAPI 3.1 document of the whole API (served at /openapi.json, rendered at /docs).
 * Every route registered in api/app.ts has an entry here; test/integration/openapi.test.ts
 * compares the two lists and checks real responses against these schemas.
 */
import { MAX_REPORT_SESSIONS, REPORT_TYPES, TASK_NAMES, TASK_STATUSES } from '../../contract/tasks';
import { SCHEMAS } from './schemas';
import { WEBHOOK_PATHS, WEBHOOK_SCHEMAS } from './webhooks';
import { PREVIEW_PATHS, PREVIEW_SCHEMAS } from './categorize-preview';
import { ACCOUNT_PATHS, ACCOUNT_SCHEMAS } from './accounts';
import { CORRECTION_PATHS, CORRECTION_SCHEMAS } from './corrections';

type Obj = Record<string, unknown>;

const ERRORS: Record<number, [string, string]> = {
  400: ['BadRequest', 'Malformed request: a bad query parameter, broken JSON, a missing part'],
  401: ['Unauthorized', 'No token, or one that does not verify'],
  404: ['NotFound', 'Absent, or someone else’s: the two are answered alike'],
  409: ['Conflict', 'Conflicts with the current state (task not finished, session not ready)'],
  410: ['Gone', 'The task result expired or was deleted'],
  412: ['PreconditionFailed', 'If-Match names a version the resource no longer has (VERSION_MISMATCH; details.current_version): read it again'],
  413: ['PayloadTooLarge', 'Body or upload over its configured limit'],
  415: ['UnsupportedMediaType', 'The file is not a PDF'],
  422: ['Unprocessable', 'Well-formed but invalid (rules, report type), or an Idempotency-Key already used for a different request (IDEMPOTENCY_KEY_REUSED)'],
  428: ['PreconditionRequired', 'A change needs If-Match with the resource’s ETag (PRECONDITION_REQUIRED)'],
  429: ['TooManyRequests', 'The caller is over their own share of a shared limit (TOO_MANY_UPLOADS, TOO_MANY_STREAMS); try again after Retry-After'],
  503: ['ServiceUnavailable', 'A dependency (Temporal, Postgres) is unavailable, or a capacity limit is reached (UPLOADS_BUSY, TOO_MANY_STREAMS); try again shortly'],
};

/** Headers some error responses carry. */
const ERROR_HEADERS: Record<string, Obj> = {
  TooManyRequests: {
    'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } },
  },
  ServiceUnavailable: {
    'Retry-After': { description: 'Seconds to wait before trying again (sent with UPLOADS_BUSY and TOO_MANY_STREAMS)', schema: { type: 'integer', minimum: 1 } },
  },
};

const json = (schema: string, description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
});
const errorRefs = (codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), { $ref: `#/components/responses/${ERRORS[c][0]}` }]));

const pathParam = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string', format: 'uuid' },
});
const query = (name: string, schema: Obj, description: string, required = false) => ({ name, in: 'query', required, description, schema });
/** Any submission's callback (docs/webhooks.md); in the body too, where a secret stays out of URLs. */
const callbackQuery = [
  query('callback_url', { $ref: '#/components/schemas/CallbackUrl' }, 'POSTed the task’s end event (task.succeeded, task.failed, task.cancelled)'),
  query('callback_secret', { $ref: '#/components/schemas/CallbackSecret' }, 'Signs the deliveries; prefer the JSON body for it'),
];
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Repeat a submission with the same key (per user) and get the same task back',
  schema: { type: 'string', minLength: 1, maxLength: 200 },
};
const paging = (max: number, fallback: number) => [
  query('limit', { type: 'integer', minimum: 1, maximum: max, default: fallback }, 'Page size'),
  query('offset', { type: 'integer', minimum: 0, default: 0 }, 'Rows to skip'),
];
const PUBLIC: Obj[] = []; // `security: []` — no token
const taskId = pathParam('task_id', 'The task id (a UUID) from the 202 answer');
const sessionId = pathParam('session_id', 'The session id (from a parse result or GET /sessions)');
const sessionQuery = query('session_id', { type: 'string', format: 'uuid' }, 'A READY session of the caller', true);

function operations(includeDev: boolean): Obj {
  const submitted = json('Submitted', 'Accepted: the task runs in the background');
  const paths: Obj = {
    '/healthz': {
      get: {
        tags: ['Operations'], operationId: 'health', summary: 'Health of the API’s dependencies', security: PUBLIC,
        responses: { 200: json('Health', 'Postgres and Temporal both answer'), 503: json('Health', 'A dependency does not answer') },
      },
    },
    '/metrics': {
      get: {
        tags: ['Operations'], operationId: 'metrics', summary: 'Prometheus metrics (operators)',
        description: 'Needs `Authorization: Bearer <METRICS_TOKEN>` (not a user JWT). Absent (404) when METRICS_TOKEN is not set.',
        security: [{ metricsToken: [] }],
        responses: { 200: { description: 'Prometheus text exposition', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errorRefs([401, 404]) },
      },
    },
    '/upload_pdf_async': {
      post: {
        tags: ['Tasks'], operationId: 'uploadPdf', summary: 'Upload a statement PDF (or a batch of them) and parse it',
        description:
          'One `file` part answers with its task (`Submitted`). Several answer with a batch (`BatchSubmitted`): one entry per file, a task or, for a file refused on its own (empty, not a PDF), its error; follow the batch at GET /batches/{batch_id}. A locked statement needs its `password`.',
        parameters: [idempotencyKey],
        requestBody: { required: true, content: { 'multipart/form-data': { schema: { $ref: '#/components/schemas/Upload' } } } },
        responses: {
          202: {
            description: 'Accepted: the task (or each task of the batch) runs in the background',
            content: { 'application/json': { schema: { anyOf: [{ $ref: '#/components/schemas/Submitted' }, { $ref: '#/components/schemas/BatchSubmitted' }] } } },
          },
          ...errorRefs([400, 401, 413, 415, 422, 429, 503]),
        },
      },
    },
    '/batches/{batch_id}': {
      get: {
        tags: ['Tasks'], operationId: 'batchStatus', summary: 'Every task of a batch upload, with a summary',
        parameters: [pathParam('batch_id', 'The batch id from the 202 answer of a batch upload')],
        responses: { 200: json('Batch', 'The batch'), ...errorRefs([401, 404]) },
      },
    },
    '/bulk_categorize_async': {
      post: {
        tags: ['Tasks'], operationId: 'bulkCategorize', summary: 'Categorize a session’s transactions by rules',
        parameters: [sessionQuery, idempotencyKey, ...callbackQuery],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RuleSet' } } } },
        responses: { 202: submitted, ...errorRefs([400, 401, 404, 409, 413, 422, 503]) },
      },
    },
    '/reports/generate_async': {
      post: {
        tags: ['Tasks'], operationId: 'generateReport',
        summary: 'Generate a report or an accounting export of a session, or of several statements of one account',
        description:
          'report_type ofx, qif, csv_xero, csv_sage and camt053 are bank statement files for accounting software (docs/exports.md). ' +
          `session_ids (instead of session_id) joins up to ${MAX_REPORT_SESSIONS} READY statements of one account into one file, in period order, each transaction once. ` +
          '400 when both session_id and session_ids are given or an id is not a UUID; 404 SESSION_NOT_FOUND; 409 SESSION_NOT_READY; ' +
          '422 UNSUPPORTED_REPORT_TYPE, TOO_MANY_SESSIONS, SESSIONS_NOT_ONE_ACCOUNT, SESSION_ACCOUNT_UNKNOWN. ' +
          'An ofx or camt053 task fails with EXPORT_BALANCE_UNKNOWN when the statement has neither an opening nor a closing balance.',
        parameters: [
          query('session_id', { type: 'string', format: 'uuid' }, 'A READY session of the caller (required unless session_ids is given)'),
          query('session_ids', { type: 'string' }, `Instead of session_id: at most ${MAX_REPORT_SESSIONS} comma-separated UUIDs of READY sessions of the caller, all statements of one account`),
          query('report_type', { enum: [...REPORT_TYPES], default: 'excel' }, 'File format: excel (.xlsx), csv, ofx (.ofx), qif (.qif), csv_xero (.csv), csv_sage (.csv), camt053 (.xml)'),
          query('include_vat', { type: 'boolean', default: true }, 'Add the VAT sheet / columns (excel and csv only)'),
          idempotencyKey,
          ...callbackQuery,
        ],
        requestBody: {
          required: false,
          description: 'Optional: the callback fields as JSON, where a secret stays out of URLs and logs',
          content: { 'application/json': { schema: { type: 'object', additionalProperties: false, properties: { callback_url: { $ref: '#/components/schemas/CallbackUrl' }, callback_secret: { $ref: '#/components/schemas/CallbackSecret' } } } } },
        },
        responses: { 202: submitted, ...errorRefs([400, 401, 404, 409, 422, 503]) },
      },
    },
    '/tasks': {
      get: {
        tags: ['Tasks'], operationId: 'listTasks', summary: 'The caller’s tasks, newest first',
        parameters: [
          query('status', { enum: [...TASK_STATUSES] }, 'Only tasks in this status'),
          query('task_name', { enum: [...TASK_NAMES] }, 'Only tasks of this kind'),
          ...paging(200, 50),
        ],
        responses: { 200: json('TaskList', 'A page of tasks'), ...errorRefs([400, 401]) },
      },
    },
    '/tasks/{task_id}/status': {
      get: {
        tags: ['Tasks'], operationId: 'taskStatus', summary: 'Status and progress of a task', parameters: [taskId],
        responses: { 200: json('TaskStatus', 'The task'), ...errorRefs([401, 404]) },
      },
    },
    '/tasks/{task_id}/result': {
      get: {
        tags: ['Tasks'], operationId: 'taskResult', summary: 'Result of a finished task', parameters: [taskId],
        responses: { 200: json('TaskResult', 'The result, or the error of a failed or cancelled task'), ...errorRefs([401, 404, 409, 410]) },
      },
    },
    '/tasks/{task_id}': {
      delete: {
        tags: ['Tasks'], operationId: 'cancelOrDeleteTask', summary: 'Cancel a running task, or delete a finished task’s result',
        parameters: [taskId],
        responses: { 200: json('Message', '"Task cancelled" or "Task result deleted"'), ...errorRefs([401, 404]) },
      },
    },
    '/tasks/{task_id}/events': {
      get: {
        tags: ['Live progress'], operationId: 'taskEvents', summary: 'Progress as Server-Sent Events',
        description: [
          'A `text/event-stream`: `event: progress` for each change, then one `event: done` with the terminal status',
          '(and `result` or `error`), after which the server closes the stream. Each event has `id: <seq>`;',
          'reconnect with `Last-Event-ID` (EventSource does it) or `?last_event_id=` to get exactly the events after it.',
          'A reconnect after `done` gets 204 (EventSource then stops). `: heartbeat` comments arrive every',
          'SSE_HEARTBEAT_SECONDS. Authorize with the Authorization header, or — for EventSource, which cannot send',
          'headers — with `?access_token=` from POST /tasks/{task_id}/stream_token (valid ≤ 5 minutes, this task only).',
          'Every `data:` is a TaskEvent.',
        ].join(' '),
        security: [{ bearerAuth: [] }, { streamToken: [] }],
        parameters: [
          taskId,
          { name: 'Last-Event-ID', in: 'header', required: false, description: 'The last seq the client received', schema: { type: 'string', pattern: '^\\d+$' } },
          query('last_event_id', { type: 'string', pattern: '^\\d+$' }, 'As Last-Event-ID, for a new EventSource'),
        ],
        responses: {
          200: {
            description: 'The event stream; each `data:` line is a TaskEvent',
            content: { 'text/event-stream': { schema: { type: 'string' }, 'x-event-schema': { $ref: '#/components/schemas/TaskEvent' } } },
          },
          204: { description: 'The task is finished and the client has seen its last event' },
          ...errorRefs([400, 401, 404, 429, 503]),
        },
      },
    },
    '/tasks/{task_id}/stream_token': {
      post: {
        tags: ['Live progress'], operationId: 'streamToken', summary: 'A short-lived token for the task’s event stream',
        parameters: [taskId],
        responses: { 200: json('StreamToken', 'The token, valid only for GET /tasks/{task_id}/events'), ...errorRefs([401, 404]) },
      },
    },
    '/download_file': {
      get: {
        tags: ['Files'], operationId: 'downloadFile', summary: 'Download a report (or upload) of the caller',
        parameters: [query('file_key', { type: 'string' }, 'The file_key from a report result', true)],
        responses: {
          200: {
            description: 'The file, with a Content-Disposition file name',
            headers: { 'Content-Disposition': { schema: { type: 'string' } } },
            content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } },
          },
          ...errorRefs([400, 401, 404]),
        },
      },
    },
    '/sessions': {
      get: {
        tags: ['Sessions'], operationId: 'listSessions', summary: 'The caller’s parsed statements, newest first', parameters: paging(200, 50),
        responses: { 200: json('SessionList', 'A page of sessions'), ...errorRefs([400, 401]) },
      },
    },
    '/sessions/{session_id}': {
      get: {
        tags: ['Sessions'], operationId: 'getSession', summary: 'One parsed statement', parameters: [sessionId],
        responses: { 200: json('Session', 'The session'), ...errorRefs([400, 401, 404]) },
      },
      delete: {
        tags: ['Sessions'], operationId: 'deleteSession', summary: 'Delete a session with its transactions, upload and reports',
        description: [
          'Owner only. Deletes the session, its transactions, its uploaded PDF and every report made from it, in one',
          'transaction. The tasks that made those reports keep their rows; their result then answers 410 RESULT_DELETED.',
          'A task still open on the session (its parse, a categorization, a report) answers 409 SESSION_BUSY with',
          '`details.task_id`: cancel it with DELETE /tasks/{task_id} first. A missing, malformed or someone else’s id',
          'answers 404 SESSION_NOT_FOUND, so deleting twice answers 404 the second time.',
        ].join(' '),
        parameters: [sessionId],
        responses: { 200: json('SessionDeleted', 'The session and everything made from it are gone'), ...errorRefs([401, 404, 409]) },
      },
    },
    '/sessions/{session_id}/transactions': {
      get: {
        tags: ['Sessions'], operationId: 'listTransactions', summary: 'A session’s transactions in statement order',
        parameters: [sessionId, ...paging(10000, 1000)],
        responses: { 200: json('TransactionPage', 'A page of transactions'), ...errorRefs([400, 401, 404]) },
      },
    },
    '/sessions/{session_id}/review': {
      get: {
        tags: ['Sessions'], operationId: 'sessionReview',
        summary: 'What stops a statement from proving itself: every problem in statement order, with the row the parser read there',
        parameters: [sessionId],
        responses: { 200: json('SessionReview', 'The review (no problems when the statement is proven)'), ...errorRefs([401, 404]) },
      },
    },
    '/openapi.json': {
      get: {
        tags: ['Reference'], operationId: 'openapi', summary: 'This document', security: PUBLIC,
        responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
    '/docs': {
      get: {
        tags: ['Reference'], operationId: 'docs', summary: 'This document, rendered', security: PUBLIC,
        responses: { 200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
    },
    '/': {
      get: {
        tags: ['Web page'], operationId: 'webPage', summary: 'The web page: upload, watch, categorize, report, download', security: PUBLIC,
        responses: { 200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
    },
    '/static/{name}': {
      get: {
        tags: ['Web page'], operationId: 'webAsset', summary: 'A script, style sheet or image of the web page', security: PUBLIC,
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[\\w-]+\\.(js|css|svg)$' } }],
        responses: {
          200: { description: 'The file', content: { 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } } } },
          304: { description: 'Not modified (If-None-Match)' },
          ...errorRefs([404]),
        },
      },
    },
  };
  if (includeDev) {
    paths['/dev/token'] = {
      post: {
        tags: ['Development'], operationId: 'devToken', summary: 'A development JWT (absent when NODE_ENV=production)', security: PUBLIC,
        requestBody: { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/DevTokenRequest' } } } },
        responses: { 200: json('DevToken', 'A token for Authorization: Bearer'), ...errorRefs([400]) },
      },
    };
  }
  return paths;
}

/** Path items from several files, their operations merged where two describe one path (a GET here, a POST there). */
function mergePaths(...sources: Record<string, unknown>[]): Obj {
  const out: Record<string, Obj> = {};
  for (const source of sources) {
    for (const [path, item] of Object.entries(source)) out[path] = { ...(out[path] ?? {}), ...(item as Obj) };
  }
  return out;
}

/** The document. `includeDev`: describe POST /dev/token (only where it exists). */
export function buildOpenApiDocument(opts: { includeDev: boolean; version?: string }): Obj {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Statementflow API',
      version: opts.version ?? '0.1.0',
      description:
        'Background jobs for bank-statement analysis: upload a PDF, categorize its transactions by rules, generate a report, ' +
        'and follow every task by polling its status or by Server-Sent Events. Every error is JSON `{error: {code, message, details?}}`.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    tags: ['Tasks', 'Live progress', 'Sessions', 'Webhooks', 'Files', 'Operations', 'Reference', 'Web page', 'Development'].map((name) => ({ name })),
    paths: mergePaths(operations(opts.includeDev), WEBHOOK_PATHS, PREVIEW_PATHS, ACCOUNT_PATHS, CORRECTION_PATHS),
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'HS256 JWT with the user id in sub' },
        streamToken: { type: 'apiKey', in: 'query', name: 'access_token', description: 'From POST /tasks/{task_id}/stream_token; events only' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN (operators)' },
      },
      schemas: { ...SCHEMAS, ...WEBHOOK_SCHEMAS, ...PREVIEW_SCHEMAS, ...ACCOUNT_SCHEMAS, ...CORRECTION_SCHEMAS },
      responses: Object.fromEntries(
        Object.values(ERRORS).map(([name, description]) => [name, { ...json('Error', description), ...(ERROR_HEADERS[name] ? { headers: ERROR_HEADERS[name] } : {}) }]),
      ),
    },
  };
}
