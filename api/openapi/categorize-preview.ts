/** The OpenAPI entry of POST /sessions/{session_id}/categorize/preview (api/routes/categorize-preview.ts), merged into document.ts. */
type Obj = Record<string, unknown>;

const closed = (required: string[], properties: Record<string, Obj>): Obj => ({ type: 'object', required, properties, additionalProperties: false });
const count = { type: 'integer', minimum: 0 };
const errors = (codes: Record<number, string>): Obj =>
  Object.fromEntries(Object.entries(codes).map(([c, name]) => [c, { $ref: `#/components/responses/${name}` }]));

export const PREVIEW_SCHEMAS: Record<string, Obj> = {
  RulePreviewRow: closed(['id', 'date', 'description', 'amount', 'balance', 'category_before', 'category_after'], {
    id: { type: 'integer' },
    date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    description: { type: 'string' },
    amount: { type: 'number' },
    balance: { anyOf: [{ type: 'number' }, { type: 'null' }] },
    category_before: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    category_after: { type: 'string' },
  }),
  RulePreview: closed(['session_id', 'only_uncategorized', 'rows_considered', 'unmatched', 'total_changes', 'rules'], {
    session_id: { type: 'string', format: 'uuid' },
    only_uncategorized: { type: 'boolean' },
    rows_considered: { ...count, description: 'Rows the rules look at (all, or only those without a category)' },
    unmatched: { ...count, description: 'Rows no rule matches: they keep what they have' },
    total_changes: { ...count, description: 'Rows whose category the run would change (its rows_changed)' },
    rules: {
      type: 'array',
      items: closed(['rule_index', 'category', 'matched', 'changes', 'sample'], {
        rule_index: count,
        category: { type: 'string' },
        matched: { ...count, description: 'Rows this rule is the first to match' },
        changes: { ...count, description: 'Of those, rows whose category it would change' },
        sample: { type: 'array', items: { $ref: '#/components/schemas/RulePreviewRow' }, description: 'The first changed rows, in statement order' },
      }),
    },
  }),
};

export const PREVIEW_PATHS: Record<string, Obj> = {
  '/sessions/{session_id}/categorize/preview': {
    post: {
      tags: ['Sessions'],
      operationId: 'previewCategorize',
      summary: 'What a rule set would change; nothing is written',
      description:
        'Takes the body of POST /bulk_categorize_async. Sessions of up to PREVIEW_MAX_ROWS transactions are answered at once (200); ' +
        'larger ones answer 202 with a preview_categorize_async task whose result is the same body. ' +
        'The same statement timeout as a run (422 RULES_TIMEOUT).',
      parameters: [
        { name: 'session_id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
        { name: 'sample', in: 'query', required: false, schema: { type: 'integer', minimum: 0, maximum: 50, default: 5 }, description: 'Changed rows shown per rule' },
      ],
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RuleSet' } } } },
      responses: {
        200: { description: 'The preview', content: { 'application/json': { schema: { $ref: '#/components/schemas/RulePreview' } } } },
        202: { description: 'A session past PREVIEW_MAX_ROWS: the preview runs as a task', content: { 'application/json': { schema: { $ref: '#/components/schemas/Submitted' } } } },
        ...errors({ 400: 'BadRequest', 401: 'Unauthorized', 404: 'NotFound', 409: 'Conflict', 413: 'PayloadTooLarge', 422: 'Unprocessable' }),
      },
    },
  },
};
