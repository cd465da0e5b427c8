/** The OpenAPI entries of GET /accounts and GET /accounts/{account_id}/continuity (api/routes/accounts.ts), merged into document.ts. */
type Obj = Record<string, unknown>;

const closed = (required: string[], properties: Record<string, Obj>): Obj => ({ type: 'object', required, properties, additionalProperties: false });
const nullable = (s: Obj): Obj => ({ anyOf: [s, { type: 'null' }] });
const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
const count = { type: 'integer', minimum: 0 };
const uuid = { type: 'string', format: 'uuid' };
const accountId = { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'A hash of the account number the statements print (never the number)' };
const errors = (codes: Record<number, string>): Obj =>
  Object.fromEntries(Object.entries(codes).map(([c, name]) => [c, { $ref: `#/components/responses/${name}` }]));
const json = (schema: string, description: string) => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } });

export const ACCOUNT_SCHEMAS: Record<string, Obj> = {
  AccountList: closed(['accounts'], {
    accounts: {
      type: 'array',
      items: closed(['account_id', 'bank_source', 'account', 'session_count', 'period_start', 'period_end'], {
        account_id: accountId,
        bank_source: nullable({ type: 'string' }),
        account: nullable({ type: 'string', description: 'Masked to its last four digits' }),
        session_count: count,
        period_start: nullable(day),
        period_end: nullable(day),
      }),
    },
  }),
  AccountContinuity: closed(['account_id', 'bank_source', 'account', 'continuous', 'problems', 'sessions', 'links'], {
    account_id: accountId,
    bank_source: nullable({ type: 'string' }),
    account: nullable({ type: 'string' }),
    continuous: { type: 'boolean', description: 'Every statement follows on from the one before: no gap, balances carried' },
    problems: { ...count, description: 'Links with a gap or a balance that does not carry' },
    sessions: {
      type: 'array',
      description: 'In statement order (by period)',
      items: closed(['session_id', 'file_name', 'period_start', 'period_end', 'opening_balance', 'closing_balance', 'transaction_count'], {
        session_id: uuid,
        file_name: nullable({ type: 'string' }),
        period_start: nullable(day),
        period_end: nullable(day),
        opening_balance: nullable({ type: 'number' }),
        closing_balance: nullable({ type: 'number' }),
        transaction_count: count,
      }),
    },
    links: {
      type: 'array',
      description: 'One per consecutive pair of sessions',
      items: closed(['from_session_id', 'to_session_id', 'dates', 'gap_days', 'overlap_days', 'shared_transactions', 'balances', 'difference'], {
        from_session_id: uuid,
        to_session_id: uuid,
        dates: { enum: ['continuous', 'gap', 'overlap', 'unknown'], description: 'continuous: the next period starts on the boundary day or the day after' },
        gap_days: { ...count, description: 'Days no statement covers' },
        overlap_days: { ...count, description: 'Days both statements cover beyond the boundary day' },
        shared_transactions: { ...count, description: 'Transactions both statements hold (by fitid), for an overlap' },
        balances: { enum: ['match', 'mismatch', 'unknown'], description: 'Whether the next opening balance is this closing balance' },
        difference: nullable({ type: 'number', description: 'Next opening minus this closing' }),
      }),
    },
  }),
};

export const ACCOUNT_PATHS: Record<string, Obj> = {
  '/accounts': {
    get: {
      tags: ['Sessions'],
      operationId: 'listAccounts',
      summary: 'The caller’s accounts: their statements grouped by the account number they print',
      responses: { 200: json('AccountList', 'The accounts'), ...errors({ 401: 'Unauthorized' }) },
    },
  },
  '/accounts/{account_id}/continuity': {
    get: {
      tags: ['Sessions'],
      operationId: 'accountContinuity',
      summary: 'Whether an account’s statements follow on: gaps between periods, balances that do not carry, overlaps',
      parameters: [{ name: 'account_id', in: 'path', required: true, schema: accountId }],
      responses: { 200: json('AccountContinuity', 'The account’s statements and the links between them'), ...errors({ 401: 'Unauthorized', 404: 'NotFound' }) },
    },
  },
};
