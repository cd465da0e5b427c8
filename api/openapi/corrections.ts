/** The OpenAPI entries of the correction routes (api/routes/corrections.ts), merged into document.ts. */
type Obj = Record<string, unknown>;

const closed = (required: string[], properties: Record<string, Obj>, extra: Obj = {}): Obj => ({
  type: 'object',
  required,
  properties,
  additionalProperties: false,
  ...extra,
});
const nullable = (s: Obj): Obj => ({ anyOf: [s, { type: 'null' }] });
const ref = (name: string): Obj => ({ $ref: `#/components/schemas/${name}` });
const uuid = { type: 'string', format: 'uuid' };
const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A real date, YYYY-MM-DD' };
const amount = { type: 'number', minimum: -999999999999.99, maximum: 999999999999.99, multipleOf: 0.01 };
const errors = (codes: Record<number, string>): Obj =>
  Object.fromEntries(Object.entries(codes).map(([c, name]) => [c, { $ref: `#/components/responses/${name}` }]));
const json = (schema: string, description: string) => ({ description, content: { 'application/json': { schema: ref(schema) } } });
const etag = { ETag: { description: 'The session’s new version, "v<version>"', schema: { type: 'string', pattern: '^"v\\d+"$' } } };

const sessionParam = { name: 'session_id', in: 'path', required: true, description: 'The session id', schema: uuid };
const txParam = { name: 'transaction_id', in: 'path', required: true, description: 'The row’s id (GET /sessions/{id}/transactions)', schema: { type: 'integer', minimum: 1 } };
const ifMatch = {
  name: 'If-Match',
  in: 'header',
  required: true,
  description: 'The session’s ETag as last read ("v<version>"): missing answers 428 PRECONDITION_REQUIRED, stale 412 VERSION_MISMATCH',
  schema: { type: 'string', pattern: '^"v\\d+"$' },
};
const CHANGE_ERRORS = errors({
  400: 'BadRequest',
  401: 'Unauthorized',
  404: 'NotFound',
  409: 'Conflict',
  412: 'PreconditionFailed',
  422: 'Unprocessable',
  428: 'PreconditionRequired',
});
const RULES = [
  'Owner only (another user’s session answers 404 SESSION_NOT_FOUND). The session must be READY (409 SESSION_NOT_READY) with no task open on it',
  '(409 SESSION_BUSY, details.task_id). The whole statement is rechecked in the same transaction (the balance chain, opening plus rows',
  'gives closing); the answer says whether it is now proven, and lists what still stops it. Every change is recorded in GET /sessions/{id}/audit.',
  'Unknown fields answer 400 UNKNOWN_FIELD; bad values 422 (INVALID_DATE, INVALID_DESCRIPTION, DESCRIPTION_TOO_LONG, INVALID_AMOUNT,',
  'INVALID_BALANCE, AMOUNT_OUT_OF_RANGE, NOTHING_TO_CHANGE, MISSING_FIELD, INVALID_AFTER, AFTER_NOT_FOUND).',
].join(' ');

const rowFields = {
  date: day,
  description: { type: 'string', minLength: 1, maxLength: 500, description: 'One line of text' },
  amount: { ...amount, description: 'Rand, negative for money out' },
  balance: nullable({ ...amount, description: 'The balance printed after the row; null when none is' }),
};

const snapshot = closed(['id', 'seq', 'fitid', 'date', 'description', 'amount', 'balance', 'category', 'page', 'line'], {
  id: { type: 'integer' },
  seq: { type: 'integer', description: 'Position in the statement' },
  fitid: nullable({ type: 'string', description: 'Kept by an edit (the row’s identity); an inserted row gets its own' }),
  date: day,
  description: { type: 'string' },
  amount: { type: 'number' },
  balance: nullable({ type: 'number' }),
  category: nullable({ type: 'string' }),
  page: nullable({ type: 'integer' }),
  line: nullable({ type: 'integer', description: 'Null for a row a person inserted' }),
});

export const CORRECTION_SCHEMAS: Record<string, Obj> = {
  TransactionPatch: closed([], rowFields, { minProperties: 1, description: 'Any of the row’s figures; the others stay' }),
  TransactionInsert: closed(['after', 'date', 'description', 'amount'], {
    after: nullable({ type: 'integer', minimum: 1, description: 'The id of the row the new one follows; null for a new first row' }),
    ...rowFields,
  }),
  CorrectedRow: snapshot,
  Correction: closed(['session_id', 'version', 'proven', 'review_required', 'corrected', 'review', 'transaction'], {
    session_id: uuid,
    version: { type: 'integer', minimum: 2, description: 'The new version (also the ETag)' },
    proven: { type: 'boolean', description: 'The rechecked statement proves itself' },
    review_required: { type: 'boolean' },
    corrected: { const: true },
    review: closed(['counts', 'unexplained', 'problems'], {
      counts: { type: 'object', additionalProperties: { type: 'integer' } },
      unexplained: nullable({ type: 'number', description: 'Closing minus opening minus the rows' }),
      problems: {
        type: 'array',
        description: 'What still stops the statement from proving itself, in statement order; empty when proven',
        items: closed(['page', 'line', 'kind', 'code', 'message', 'transaction_id'], {
          page: { type: 'integer' },
          line: { type: 'integer' },
          kind: { type: 'string' },
          code: { type: 'string' },
          message: { type: 'string' },
          transaction_id: nullable({ type: 'integer', description: 'The row the problem is on' }),
        }),
      },
    }),
    transaction: nullable({ ...ref('CorrectedRow'), description: 'The row as it now is; null after a delete' }),
  }),
  CorrectionAudit: closed(['session_id', 'version', 'corrected', 'corrections'], {
    session_id: uuid,
    version: { type: 'integer', minimum: 1 },
    corrected: { type: 'boolean' },
    corrections: {
      type: 'array',
      description: 'Every change, oldest first',
      items: closed(['id', 'user_id', 'action', 'transaction_id', 'before', 'after', 'version', 'created_at'], {
        id: { type: 'integer' },
        user_id: { type: 'string', description: 'Who made the change' },
        action: { enum: ['update', 'insert', 'delete'] },
        transaction_id: { type: 'integer' },
        before: nullable({ ...ref('CorrectedRow'), description: 'null for an insert' }),
        after: nullable({ ...ref('CorrectedRow'), description: 'null for a delete' }),
        version: { type: 'integer', description: 'The session’s version the change made' },
        created_at: { type: 'string', format: 'date-time' },
      }),
    },
  }),
};

const withEtag = (r: Obj): Obj => ({ ...r, headers: etag });

export const CORRECTION_PATHS: Record<string, Obj> = {
  '/sessions/{session_id}/transactions/{transaction_id}': {
    patch: {
      tags: ['Sessions'],
      operationId: 'correctTransaction',
      summary: 'Correct a row of a statement (date, description, amount, balance); the row keeps its fitid',
      description: RULES,
      parameters: [sessionParam, txParam, ifMatch],
      requestBody: { required: true, content: { 'application/json': { schema: ref('TransactionPatch') } } },
      responses: { 200: withEtag(json('Correction', 'Changed; the statement rechecked')), ...CHANGE_ERRORS },
    },
    delete: {
      tags: ['Sessions'],
      operationId: 'deleteTransaction',
      summary: 'Delete a row the parser read that is not on the statement',
      description: RULES,
      parameters: [sessionParam, txParam, ifMatch],
      responses: { 200: withEtag(json('Correction', 'Deleted; the statement rechecked')), ...CHANGE_ERRORS },
    },
  },
  // Beside the GET that document.ts describes (the two are merged into one path item).
  '/sessions/{session_id}/transactions': {
    post: {
      tags: ['Sessions'],
      operationId: 'insertTransaction',
      summary: 'Insert a row the parser missed, after a given row; later rows move down one place',
      description: `${RULES} The new row gets a fitid as a parse would give it.`,
      parameters: [sessionParam, ifMatch],
      requestBody: { required: true, content: { 'application/json': { schema: ref('TransactionInsert') } } },
      responses: { 201: withEtag(json('Correction', 'Inserted; the statement rechecked')), ...CHANGE_ERRORS },
    },
  },
  '/sessions/{session_id}/audit': {
    get: {
      tags: ['Sessions'],
      operationId: 'sessionAudit',
      summary: 'Every correction of a statement’s rows: who, when, which row, before and after',
      parameters: [sessionParam],
      responses: { 200: withEtag(json('CorrectionAudit', 'The corrections, oldest first')), ...errors({ 401: 'Unauthorized', 404: 'NotFound' }) },
    },
  },
};
