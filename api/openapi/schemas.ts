/**
 * JSON Schemas (OpenAPI 3.1 = JSON Schema 2020-12) of every body the API sends or takes.
 * Response objects are closed (`additionalProperties: false`) so the contract test
 * (test/integration/openapi.test.ts) notices a field the code adds without documenting it.
 */
import { TASK_NAMES, TASK_STATUSES } from '../../contract/tasks';

type Schema = Record<string, unknown>;
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const closed = (required: string[], properties: Record<string, Schema>, extra: Schema = {}): Schema => ({
  type: 'object',
  required,
  properties,
  additionalProperties: false,
  ...extra,
});
const str = (description?: string, extra: Schema = {}): Schema => ({ type: 'string', ...(description ? { description } : {}), ...extra });
const int = (extra: Schema = {}): Schema => ({ type: 'integer', ...extra });
const dateTime = { type: 'string', format: 'date-time' };
const uuid = { type: 'string', format: 'uuid' };
const nullable = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] });
const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' };

const taskError = closed(['code', 'message'], { code: str('Stable, machine-readable'), message: str() });

export const SCHEMAS: Record<string, Schema> = {
  Error: closed(['error'], {
    error: closed(['code', 'message'], {
      code: str('Stable, machine-readable, e.g. TASK_NOT_FOUND'),
      message: str('For people'),
      details: { description: 'Extra facts about the error (e.g. which rules are invalid)' },
    }),
  }),
  TaskError: taskError,
  Submitted: closed(['task_id', 'status', 'message'], {
    task_id: uuid,
    status: { const: 'submitted' },
    message: str(),
  }),
  TaskStatus: closed(
    ['task_id', 'task_name', 'status', 'progress_percent', 'progress_message', 'created_at', 'updated_at'],
    {
      task_id: uuid,
      task_name: { enum: [...TASK_NAMES] },
      status: { enum: [...TASK_STATUSES] },
      progress_percent: int({ minimum: 0, maximum: 100 }),
      progress_message: str(),
      created_at: dateTime,
      updated_at: dateTime,
      started_at: dateTime,
      completed_at: dateTime,
      attempt: int({ minimum: 2, description: 'Present from the second attempt on' }),
      error: ref('TaskError'),
      review_required: { type: 'boolean', description: 'A parse that succeeded: true when its statement did not prove itself (GET /sessions/{id}/review)' },
    },
  ),
  TaskList: closed(['tasks', 'total', 'limit', 'offset'], {
    tasks: { type: 'array', items: ref('TaskStatus') },
    total: int({ minimum: 0 }),
    limit: int(),
    offset: int(),
  }),
  TaskResult: closed(['task_id', 'status', 'result'], {
    task_id: uuid,
    status: { enum: ['SUCCESS', 'FAILED', 'CANCELLED'] },
    result: {
      description: 'The task’s result on SUCCESS, null otherwise',
      anyOf: [ref('ParseResult'), ref('CategorizeResult'), ref('ReportResult'), ref('RulePreview'), ref('CleanupResult'), { type: 'null' }],
    },
    error: ref('TaskError'),
  }),
  ParseResult: {
    type: 'object',
    description: 'parse_pdf_async',
    required: ['status', 'session_id', 'transaction_count', 'bank_source'],
    properties: {
      status: { const: 'success' },
      session_id: uuid,
      transaction_count: int({ minimum: 0 }),
      bank_source: str(),
      warnings: { type: 'array' },
      skipped_rows: { type: 'array' },
      warnings_total: int(),
      skipped_rows_total: int(),
      opening_balance: nullable({ type: 'number' }),
      closing_balance: nullable({ type: 'number' }),
      period_start: nullable(day),
      period_end: nullable(day),
      reconciled: { type: 'boolean' },
      review_required: { type: 'boolean', description: 'The statement did not prove itself (a chain break, totals that differ, unread rows, unproven OCR): a person should review it' },
      overlaps: {
        type: 'array',
        description: 'The caller’s other statements of this account that share transactions with this one, and how many (reports of several take each once)',
        items: closed(['session_id', 'count'], { session_id: uuid, count: int({ minimum: 1 }) }),
      },
      duplicate_of: { ...uuid, description: 'The same file was uploaded and parsed before: this session, and nothing was parsed again (send reparse=true to parse anyway)' },
      review: nullable(closed(['counts', 'unexplained', 'problems', 'problem_count'], {
        counts: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Problems per kind: balance_breaks, totals_differ, skipped_rows, ocr_unproven, pages_unread, signs_assumed, nothing_to_check' },
        unexplained: nullable({ type: 'number', description: 'Closing balance minus opening balance minus the rows read' }),
        problems: { type: 'array', items: ref('ReviewProblemBrief'), description: 'The first few, in statement order' },
        problem_count: int({ minimum: 0 }),
      })),
    },
  },
  ReviewProblemBrief: closed(['page', 'line', 'kind', 'code', 'message'], {
    page: int({ minimum: 1 }),
    line: int({ minimum: 0 }),
    kind: str(),
    code: str(),
    message: str(),
  }),
  SessionReview: closed(['session_id', 'version', 'corrected', 'proven', 'review_required', 'counts', 'unexplained', 'problems'], {
    session_id: uuid,
    version: int({ minimum: 1, description: 'As in the ETag header: send it back in If-Match to correct a row' }),
    corrected: { type: 'boolean', description: 'A person corrected the rows' },
    proven: { type: 'boolean' },
    review_required: { type: 'boolean' },
    counts: { type: 'object', additionalProperties: { type: 'integer' } },
    unexplained: nullable({ type: 'number' }),
    problems: {
      type: 'array',
      description: 'Every problem, in statement order',
      items: closed(['page', 'line', 'kind', 'code', 'message', 'text', 'transaction'], {
        page: int({ minimum: 1 }),
        line: int({ minimum: 0 }),
        kind: str(),
        code: str(),
        message: str(),
        text: nullable(str('The text the parser saw there: the row it read, or the line it could not read')),
        transaction: nullable(closed(['id', 'fitid', 'date', 'description', 'amount', 'balance'], {
          id: int(),
          fitid: nullable(str()),
          date: day,
          description: str(),
          amount: { type: 'number' },
          balance: nullable({ type: 'number' }),
        })),
      }),
    },
  }),
  CategorizeResult: {
    type: 'object',
    description: 'bulk_categorize_async',
    required: ['status', 'session_id', 'categorized_count', 'uncategorized_count', 'by_category'],
    properties: {
      status: { const: 'success' },
      session_id: uuid,
      categorized_count: int({ minimum: 0 }),
      uncategorized_count: int({ minimum: 0 }),
      by_category: { type: 'object', additionalProperties: { type: 'integer' } },
      rows_changed: int({ minimum: 0 }),
    },
  },
  ReportResult: {
    type: 'object',
    description: 'generate_report_async: download the file with GET /download_file?file_key=',
    required: ['status', 'file_key', 'filename'],
    properties: {
      status: { const: 'success' },
      file_key: str(),
      file_size: int({ minimum: 0 }),
      filename: str(),
      row_count: int({ minimum: 0 }),
    },
  },
  CleanupResult: { type: 'object', description: 'cleanup_old_results: counts per step' },
  Message: closed(['message'], { message: str() }),
  StreamToken: closed(['access_token', 'token_type', 'expires_in', 'events_url'], {
    access_token: str('Valid only for GET /tasks/{task_id}/events of this task, as ?access_token='),
    token_type: { const: 'stream' },
    expires_in: int({ minimum: 1, maximum: 300, description: 'Seconds' }),
    events_url: str('The events URL with the token, for new EventSource(url)'),
  }),
  TaskEvent: closed(['task_id', 'seq', 'status', 'progress_percent', 'progress_message', 'eta_seconds', 'created_at'], {
    task_id: uuid,
    seq: int({ minimum: 1, description: 'Also the SSE id: send it back as Last-Event-ID' }),
    status: { enum: [...TASK_STATUSES] },
    progress_percent: int({ minimum: 0, maximum: 100 }),
    progress_message: str(),
    eta_seconds: nullable(int({ minimum: 0, description: 'Estimated seconds left, from the rate so far' })),
    created_at: dateTime,
    result: { description: 'Terminal events: the result on SUCCESS (while it is kept), else null' },
    error: nullable(ref('TaskError')),
  }),
  Health: closed(['status', 'checks'], {
    status: { enum: ['ok', 'degraded'] },
    checks: closed(['postgres', 'temporal'], { postgres: ref('HealthCheck'), temporal: ref('HealthCheck') }),
  }),
  HealthCheck: closed(['ok', 'latency_ms'], { ok: { type: 'boolean' }, latency_ms: int({ minimum: 0 }) }),
  Session: closed(
    ['session_id', 'status', 'bank_source', 'client_id', 'file_name', 'transaction_count', 'period_start', 'period_end',
      'opening_balance', 'closing_balance', 'reconciled', 'proven', 'review_required', 'account', 'version', 'corrected', 'created_at'],
    {
      session_id: uuid,
      version: int({ minimum: 1, description: 'As in the ETag header ("v<version>"): send it back in If-Match to correct a row; every correction bumps it' }),
      corrected: { type: 'boolean', description: 'A person corrected the rows (PATCH/POST/DELETE /sessions/{id}/transactions): the figures are no longer only what the bank printed' },
      account: nullable(str('The account number the statement prints, masked to its last four digits; null when none was found')),
      proven: { type: 'boolean', description: 'Every check the statement allows held (balance chain, totals)' },
      review_required: { type: 'boolean', description: 'Parsed but not proven: review it at GET /sessions/{id}/review' },
      status: { enum: ['PARSING', 'READY', 'FAILED'] },
      bank_source: nullable(str()),
      client_id: nullable(str()),
      file_name: nullable(str()),
      transaction_count: int({ minimum: 0 }),
      period_start: nullable(day),
      period_end: nullable(day),
      opening_balance: nullable({ type: 'number' }),
      closing_balance: nullable({ type: 'number' }),
      reconciled: nullable({ type: 'boolean' }),
      created_at: dateTime,
    },
  ),
  SessionDeleted: closed(['message', 'session_id'], { message: { const: 'Session deleted' }, session_id: uuid }),
  SessionList: closed(['sessions', 'limit', 'offset'], {
    sessions: { type: 'array', items: ref('Session') },
    limit: int(),
    offset: int(),
  }),
  Transaction: closed(['id', 'fitid', 'date', 'description', 'amount', 'balance', 'category'], {
    id: int(),
    fitid: str('Stable id (OFX FITID): the same in every parse of the statement and in every statement of the account that prints the row'),
    date: day,
    description: str(),
    amount: { type: 'number', description: 'Negative for money out' },
    balance: nullable({ type: 'number' }),
    category: nullable(str()),
  }),
  TransactionPage: closed(['session_id', 'version', 'bank_source', 'status', 'total', 'limit', 'offset', 'transactions'], {
    session_id: uuid,
    version: int({ minimum: 1, description: 'As in the ETag header: send it back in If-Match to correct a row' }),
    bank_source: nullable(str()),
    status: { enum: ['PARSING', 'READY', 'FAILED'] },
    total: int({ minimum: 0 }),
    limit: int(),
    offset: int(),
    transactions: { type: 'array', items: ref('Transaction') },
  }),
  RuleSet: {
    type: 'object',
    required: ['rules'],
    additionalProperties: false,
    description: 'Ordered rules: the first whose conditions match a transaction sets its category',
    properties: {
      rules: { type: 'array', minItems: 1, items: ref('Rule') },
      only_uncategorized: { type: 'boolean', default: false },
      callback_url: ref('CallbackUrl'),
      callback_secret: ref('CallbackSecret'),
    },
  },
  CallbackUrl: str('POSTed the task’s end event, signed with callback_secret (docs/webhooks.md). https only in production; http to loopback where WEBHOOK_ALLOW_PRIVATE_ADDRESSES is on', { format: 'uri' }),
  CallbackSecret: str('Signs each delivery (Statementflow-Signature, HMAC-SHA256); stored sealed, never returned. Without it deliveries are unsigned', { minLength: 16, maxLength: 200, format: 'password' }),
  Rule: closed(['category', 'conditions'], { category: str(undefined, { minLength: 1 }), conditions: ref('Condition') }),
  Condition: {
    description: 'A leaf {field, op, value} or a group {all: [...]}, {any: [...]}, {not: condition}',
    anyOf: [
      closed(['field', 'op', 'value'], {
        field: { enum: ['description', 'amount', 'balance', 'date'] },
        op: { enum: ['contains', 'not_contains', 'equals', 'not_equals', 'starts_with', 'ends_with', 'regex', 'in', 'gt', 'gte', 'lt', 'lte', 'between'] },
        value: { description: 'A string, number or date (YYYY-MM-DD); an array for in and between' },
      }),
      closed(['all'], { all: { type: 'array', items: ref('Condition') } }),
      closed(['any'], { any: { type: 'array', items: ref('Condition') } }),
      closed(['not'], { not: ref('Condition') }),
    ],
  },
  Upload: {
    type: 'object',
    required: ['file'],
    properties: {
      file: {
        description:
          'The statement PDF. Repeat the part for a batch (at most MAX_FILES_PER_UPLOAD, default 24, each within MAX_UPLOAD_BYTES; a batch needs a Content-Length, and one request at most MAX_UPLOAD_BYTES per upload slot the user may hold, UPLOAD_TOO_LARGE beyond)',
        anyOf: [
          { type: 'string', contentMediaType: 'application/pdf' },
          { type: 'array', items: { type: 'string', contentMediaType: 'application/pdf' }, minItems: 1 },
        ],
      },
      client_id: str('1–64 letters, digits, dots, dashes or underscores', { pattern: '^[\\w.-]{1,64}$' }),
      callback_url: ref('CallbackUrl'),
      callback_secret: ref('CallbackSecret'),
      reparse: { enum: ['true', 'false'], default: 'false', description: 'A file this user has parsed before is not parsed again: its task ends SUCCESS at once with duplicate_of naming that session. true parses it anyway' },
      password: str(
        'The password that opens a locked statement (for every file of a batch). Kept sealed until the parse ends, never returned or logged. Wrong: the task fails PDF_PASSWORD_INCORRECT; a locked file without it fails PDF_ENCRYPTED',
        { minLength: 1, maxLength: 256, format: 'password' },
      ),
    },
  },
  BatchSubmitted: closed(['batch_id', 'tasks', 'status', 'message'], {
    batch_id: uuid,
    tasks: { type: 'array', items: ref('BatchEntry'), description: 'One entry per file, in upload order' },
    status: { const: 'submitted' },
    message: str(),
  }),
  BatchEntry: closed(['file_name', 'status'], {
    task_id: { ...uuid, description: 'The file’s task (absent when the file was rejected)' },
    file_name: str(),
    status: { enum: ['submitted', 'rejected'], description: 'rejected: the file was refused (EMPTY_FILE, NOT_A_PDF, …) and has no task; the others were submitted' },
    error: ref('TaskError'),
  }),
  Batch: closed(['batch_id', 'status', 'created_at', 'completed_at', 'tasks', 'rejected', 'summary'], {
    batch_id: uuid,
    status: { enum: ['running', 'completed'], description: 'completed once no task is PENDING or PROCESSING' },
    created_at: dateTime,
    completed_at: { ...nullable(dateTime), description: 'When the batch was recorded as complete (set once, when its last task ends)' },
    tasks: {
      type: 'array',
      items: closed(['task_id', 'file_name', 'status', 'error'], {
        task_id: uuid,
        file_name: nullable(str()),
        status: { enum: [...TASK_STATUSES] },
        error: nullable(ref('TaskError')),
      }),
    },
    rejected: {
      type: 'array',
      description: 'Files refused at upload, with no task',
      items: closed(['file_name', 'error'], { file_name: str(), error: ref('TaskError') }),
    },
    summary: closed(['total', 'done', 'failed', 'running'], {
      total: int({ minimum: 0, description: 'The batch’s tasks: done + failed + running' }),
      done: int({ minimum: 0, description: 'SUCCESS' }),
      failed: int({ minimum: 0, description: 'FAILED or CANCELLED' }),
      running: int({ minimum: 0, description: 'PENDING or PROCESSING' }),
    }),
  }),
  DevTokenRequest: {
    type: 'object',
    additionalProperties: false,
    properties: { user_id: str('Default demo-user', { pattern: '^[\\w.@-]{1,128}$' }) },
  },
  DevToken: closed(['access_token', 'token_type', 'expires_in', 'user_id'], {
    access_token: str('A JWT for Authorization: Bearer'),
    token_type: { const: 'Bearer' },
    expires_in: int({ minimum: 1 }),
    user_id: str(),
  }),
};
