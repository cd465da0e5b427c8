/**
 * The sessions and transactions tables: a parsed statement and its rows. Every lookup of a
 * session is scoped by its owner here, so no caller can forget to: another user's session
 * reads exactly like a missing one.
 */
import type { Knex } from 'knex';
import { OPEN_STATUSES } from '../contract/tasks';
import { TaskErrorCodes, TaskInputError } from '../contract/errors';
import { centsToDecimalString, decimalStringToCents, fitsAmountColumn } from '../domain/money';
import type { ParsedStatement } from '../domain/statements';
import { wellFormed } from '../domain/rules/text';
import { copyIn, type CopyValue } from './copy-in';
import { accountKey, maskAccount } from '../domain/statements/account';
import { fitidScope, fitidSequence, type FitidRow } from '../domain/statements/fitid';
import { fullReviewOf, type FullReview } from '../domain/statements/review';
import { deleteSessionFiles, keyPrefixPattern, sessionReportPrefix } from './files';
import type { Batch } from './tasks';

export type SessionStatus = 'PARSING' | 'READY' | 'FAILED';

export interface SessionRecord {
  id: string;
  user_id: string;
  client_id: string | null;
  task_id: string | null;
  status: SessionStatus;
  bank_source: string | null;
  file_name: string | null;
  file_sha256: string | null;
  file_key: string | null;
  period_start: Date | string | null;
  period_end: Date | string | null;
  /** numeric(14,2) comes back from pg as an exact decimal string. */
  opening_balance: string | null;
  closing_balance: string | null;
  reconciled: boolean | null;
  transaction_count: number;
  /** A hash of the account number the statement prints (domain/statements/account.ts); null when none was found. */
  account_key: string | null;
  /** The account's last four digits, masked ("••••5678"), for display. */
  account_mask: string | null;
  /** What stops the statement from proving itself (domain/statements/review.ts); null when it reconciled. */
  review: FullReview | null;
  /** Bumped by every correction of the rows (db/corrections.ts); the ETag clients send back. */
  version: number;
  /** A person corrected the rows: the figures are no longer only what the bank printed. */
  corrected: boolean;
  created_at: Date;
  updated_at: Date;
}

const sessions = (db: Knex) => db<SessionRecord>('sessions');

/** The session if `userId` owns it. `sessionId` must already be a well-formed UUID. */
export async function findSessionOfUser(db: Knex, userId: string, sessionId: string): Promise<SessionRecord | undefined> {
  return sessions(db).where({ id: sessionId.toLowerCase(), user_id: userId }).first();
}

/** The session if `userId` owns it and it is READY (parsed and saved). */
export async function findReadySessionOfUser(db: Knex, userId: string, sessionId: string): Promise<SessionRecord | undefined> {
  const s = await findSessionOfUser(db, userId, sessionId);
  return s?.status === 'READY' ? s : undefined;
}

/** A user's sessions, newest first. */
export async function listSessionsOfUser(db: Knex, userId: string, page: { limit: number; offset: number }): Promise<SessionRecord[]> {
  return sessions(db).where({ user_id: userId }).orderBy('created_at', 'desc').limit(page.limit).offset(page.offset);
}

/** The user's newest parsed session of the file with this sha256: the statement uploaded before. */
export async function sessionOfFile(db: Knex, userId: string, sha256: string): Promise<SessionRecord | undefined> {
  return sessions(db).where({ user_id: userId, status: 'READY', file_sha256: sha256 }).orderBy('created_at', 'desc').first();
}

/**
 * The user's other sessions of this session's account that share transactions with it (by
 * fitid): the statements it overlaps, and how many rows each shares.
 */
export async function overlappingSessions(db: Knex, userId: string, sessionId: string): Promise<{ session_id: string; count: number }[]> {
  const me = await sessions(db).where({ id: sessionId, user_id: userId }).first('account_key');
  // Without a printed account number there is no account to overlap within.
  if (!me?.account_key) return [];
  return withHashJoins(db, async (trx) => {
    const res = (await trx.raw(
      `select o.session_id, count(*)::int as count
         from transactions o
        where o.session_id in (select s.id from sessions s
                                where s.user_id = ? and s.status = 'READY' and s.account_key = ? and s.id <> ?::uuid)
          and o.fitid in (select t.fitid from transactions t where t.session_id = ?::uuid)
        group by o.session_id
        order by o.session_id`,
      [userId, me.account_key, sessionId, sessionId],
    )) as { rows: { session_id: string; count: number }[] };
    return res.rows;
  });
}

/**
 * Runs `work` in a transaction whose joins of two sessions' rows are hash joins. There is
 * no index on fitid: a session's rows are found by its own index, and matched on fitid in
 * a hash. With statistics taken before a large statement was saved, the planner can
 * estimate one row for it and pick a nested loop instead, which compares every row with
 * every other (22,000 × 22,000 for a 400-page statement: minutes instead of milliseconds).
 */
async function withHashJoins<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (trx) => {
    await trx.raw(`select set_config('enable_nestloop', 'off', true)`);
    return work(trx);
  });
}

/** An account as the user's parsed statements name it (sessions sharing an account_key). */
export interface AccountRecord {
  account_key: string;
  bank_source: string | null;
  account_mask: string | null;
  session_count: number;
  period_start: Date | string | null;
  period_end: Date | string | null;
}

/** The user's accounts: READY sessions whose statement printed an account number, grouped by it. */
export async function listAccountsOfUser(db: Knex, userId: string): Promise<AccountRecord[]> {
  return (await sessions(db)
    .where({ user_id: userId, status: 'READY' })
    .whereNotNull('account_key')
    .groupBy('account_key')
    .select(
      'account_key',
      db.raw('min(bank_source) as bank_source'),
      db.raw('min(account_mask) as account_mask'),
      db.raw('count(*)::int as session_count'),
      db.raw('min(period_start) as period_start'),
      db.raw('max(period_end) as period_end'),
    )
    .orderBy('account_key')) as unknown as AccountRecord[];
}

/** The user's READY sessions of one account (none when the account is not theirs). */
export async function sessionsOfAccount(db: Knex, userId: string, accountKey: string): Promise<SessionRecord[]> {
  return sessions(db).where({ user_id: userId, status: 'READY', account_key: accountKey }).orderBy('created_at');
}

/** How many transactions two sessions share (by fitid): the rows of an overlap, or all of a statement uploaded twice. */
export async function sharedTransactionCount(db: Knex, sessionA: string, sessionB: string): Promise<number> {
  const row = await withHashJoins(db, (trx) =>
    trx('transactions as a')
      .join('transactions as b', 'a.fitid', 'b.fitid')
      .where('a.session_id', sessionA)
      .andWhere('b.session_id', sessionB)
      .count<{ n: string }[]>({ n: '*' })
      .first(),
  );
  return Number((row as { n: string } | undefined)?.n ?? 0);
}

/** A parsed row at a page and line of its statement, as the review shows it beside a problem. */
export interface RowAtPosition {
  id: string;
  fitid: string | null;
  page: number;
  line: number;
  date: string;
  description: string;
  amount: string;
  balance: string | null;
  raw_text: string | null;
}

/** The session's rows at these (page, line) positions (the caller has checked ownership). */
export async function rowsAtPositions(db: Knex, sessionId: string, positions: { page: number; line: number }[]): Promise<RowAtPosition[]> {
  if (positions.length === 0) return [];
  return (await db('transactions')
    .where({ session_id: sessionId })
    .whereIn(['page', 'line'], positions.map((p) => [p.page, p.line]))
    .select('id', 'fitid', 'page', 'line', db.raw(`to_char(date, 'YYYY-MM-DD') as date`), 'description', 'amount', 'balance', 'raw_text')) as RowAtPosition[];
}

export interface TransactionRecord {
  id: string;
  date: string;
  description: string;
  amount: string;
  balance: string | null;
  category: string | null;
  /** Stable across parses and overlapping statements (domain/statements/fitid.ts). */
  fitid: string | null;
}

/** One page of a session's transactions in statement order (the caller has checked ownership). */
export async function transactionsPage(db: Knex, sessionId: string, page: { limit: number; offset: number }): Promise<TransactionRecord[]> {
  return db('transactions')
    .where({ session_id: sessionId })
    .orderBy('seq')
    .limit(page.limit)
    .offset(page.offset)
    .select('id', db.raw(`to_char(date, 'YYYY-MM-DD') as date`), 'description', 'amount', 'balance', 'category', 'fitid');
}

export interface SessionRow {
  seq: number;
  date: string;
  description: string;
  category: string | null;
  amountCents: number;
  balanceCents: number | null;
  fitid: string | null;
}

/**
 * A session's transactions in statement order, read in keyset-paginated pages so memory
 * stays flat whatever the session's size (no server-side cursor needed).
 *
 * `skipFitidsOf`: sessions whose rows this one must not repeat (the earlier statements of
 * a report that joins several): a row whose fitid one of them holds is left out. A fitid
 * includes its row's date, so only their rows within this session's dates can match:
 * those ids (the overlap, usually a few days) are the only ones held in memory.
 */
export async function* sessionRows(
  db: Knex,
  sessionId: string,
  pageSize = 2000,
  opts: { skipFitidsOf?: readonly string[] } = {},
): AsyncGenerator<SessionRow> {
  const skip = opts.skipFitidsOf?.length ? await fitidsWithinDatesOf(db, sessionId, opts.skipFitidsOf) : null;
  let after = -1;
  for (;;) {
    const rows = await db('transactions')
      .where({ session_id: sessionId })
      .andWhere('seq', '>', after)
      .orderBy('seq')
      .limit(pageSize)
      .select('seq', db.raw(`to_char(date, 'YYYY-MM-DD') as date`), 'description', 'category', 'amount', 'balance', 'fitid');
    for (const r of rows) {
      if (skip && r.fitid !== null && skip.has(r.fitid)) continue;
      yield {
        seq: r.seq,
        date: r.date,
        description: r.description,
        category: r.category,
        amountCents: decimalStringToCents(r.amount),
        balanceCents: r.balance === null ? null : decimalStringToCents(r.balance),
        fitid: r.fitid,
      };
    }
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].seq;
  }
}

/** The fitids the `others` sessions hold on the days `sessionId` covers. */
async function fitidsWithinDatesOf(db: Knex, sessionId: string, others: readonly string[]): Promise<Set<string>> {
  const rows: { fitid: string }[] = await db('transactions')
    .distinct('fitid')
    .whereIn('session_id', [...others])
    .whereNotNull('fitid')
    .andWhereRaw(
      'date between (select min(date) from transactions where session_id = ?) and (select max(date) from transactions where session_id = ?)',
      [sessionId, sessionId],
    );
  return new Set(rows.map((r) => r.fitid));
}

/** A session as a report of it needs it: its period as text, and what its rows say when the statement printed no period or balance. */
export interface ReportSessionRecord extends SessionRecord {
  /** `YYYY-MM-DD`, or null. */
  period_from: string | null;
  period_to: string | null;
  /** The first and last transaction dates, `YYYY-MM-DD`; null without rows. */
  first_date: string | null;
  last_date: string | null;
  /** The first row's balance less its amount, and the last row's balance (numeric text); null without balances. */
  rows_opening: string | null;
  rows_closing: string | null;
}

/**
 * The user's sessions among `ids` (well-formed UUIDs), in period order: by period start,
 * then end, then upload (a session without a period after those with one). Another user's
 * session is not returned, exactly as a missing one.
 */
export async function sessionsForReport(db: Knex, userId: string, ids: readonly string[]): Promise<ReportSessionRecord[]> {
  const firstRow = (col: string, dir: 'asc' | 'desc') =>
    `(select ${col} from transactions t where t.session_id = sessions.id order by t.seq ${dir} limit 1)`;
  return (await sessions(db)
    .whereIn('id', ids.map((id) => id.toLowerCase()))
    .andWhere({ user_id: userId })
    .select(
      'sessions.*',
      db.raw(`to_char(period_start, 'YYYY-MM-DD') as period_from`),
      db.raw(`to_char(period_end, 'YYYY-MM-DD') as period_to`),
      db.raw(`(select to_char(min(date), 'YYYY-MM-DD') from transactions t where t.session_id = sessions.id) as first_date`),
      db.raw(`(select to_char(max(date), 'YYYY-MM-DD') from transactions t where t.session_id = sessions.id) as last_date`),
      db.raw(`${firstRow('t.balance - t.amount', 'asc')}::text as rows_opening`),
      db.raw(`${firstRow('t.balance', 'desc')}::text as rows_closing`),
    )
    .orderByRaw('period_start asc nulls last, period_end asc nulls last, created_at asc')) as ReportSessionRecord[];
}

export interface NewSession {
  taskId: string;
  userId: string;
  sessionId: string;
  clientId: string | null;
  fileKey: string;
  fileName: string;
  sha256: string | null;
}

/**
 * Rows per COPY write: each write is a heartbeat, and keeps the text being built small.
 * By COPY (db/copy-in.ts) a 27,500-row statement saves in ~25% less time than as JSON
 * expanded by json_to_recordset, 5,000 rows a statement (bench/RESULTS.md).
 */
const COPY_BATCH = 5000;

const TRANSACTION_COLUMNS = ['session_id', 'seq', 'date', 'description', 'amount', 'balance', 'page', 'raw_text', 'fitid', 'line'];

/**
 * Saves a parsed statement as one transaction: the session row (created if absent), its
 * transactions, and READY with its balances. A retried save replaces what an earlier
 * attempt wrote, so the end state is the same. `onBatch` runs after each batch of rows written
 * (a heartbeat: a long save must not look like a dead worker).
 */
export async function saveStatement(db: Knex, s: NewSession, parsed: ParsedStatement, onBatch: () => void = () => undefined): Promise<void> {
  assertAmountsFit(parsed);
  await db.transaction(async (trx) => {
    await assertTaskMaySave(trx, s.taskId);
    await trx('sessions')
      .insert({
        id: s.sessionId,
        user_id: s.userId,
        client_id: s.clientId,
        task_id: s.taskId,
        status: 'PARSING',
        file_name: s.fileName,
        file_key: s.fileKey,
        file_sha256: s.sha256,
      })
      .onConflict('id')
      .ignore();
    await trx('transactions').where({ session_id: s.sessionId }).delete();
    const rows = parsed.transactions;
    const account = parsed.accountNumber === null ? null : accountKey(parsed.bankSource, parsed.accountNumber);
    // Each row's id and fields are worked out as copyIn reads it: while Postgres stores one
    // batch, the next is derived (bench/RESULTS.md).
    const values = transactionRows(s.sessionId, rows, fitidSequence(fitidScope(parsed.bankSource, account)));
    await copyIn(trx, 'transactions', TRANSACTION_COLUMNS, values, { batch: COPY_BATCH, onBatch });
    await trx('sessions')
      .where({ id: s.sessionId })
      .update({
        status: 'READY',
        bank_source: parsed.bankSource,
        period_start: parsed.periodStart,
        period_end: parsed.periodEnd,
        opening_balance: parsed.openingBalanceCents === null ? null : centsToDecimalString(parsed.openingBalanceCents),
        closing_balance: parsed.closingBalanceCents === null ? null : centsToDecimalString(parsed.closingBalanceCents),
        reconciled: parsed.reconciled,
        transaction_count: rows.length,
        account_key: account,
        account_mask: parsed.accountNumber === null ? null : maskAccount(parsed.accountNumber),
        review: jsonOrNull(fullReviewOf(parsed)),
        updated_at: trx.fn.now(),
      });
  });
}

/** The statement's rows as TRANSACTION_COLUMNS values, each derived when it is read. */
function* transactionRows(sessionId: string, rows: ParsedStatement['transactions'], fitidOf: (row: FitidRow) => string): Generator<CopyValue[]> {
  for (const t of rows) {
    yield [
      sessionId,
      t.seq,
      t.date,
      storableText(t.description),
      centsToDecimalString(t.amountCents),
      t.balanceCents === null ? null : centsToDecimalString(t.balanceCents),
      t.page,
      storableText(t.rawText),
      fitidOf(t),
      t.line,
    ];
  }
}

/**
 * Text as Postgres text can hold it: a lone surrogate (a broken font's text) becomes U+FFFD,
 * as the driver sends it in a text parameter, and so does NUL, which text cannot hold at
 * all (either would fail the whole save, on every retry).
 */
function storableText(s: string): string {
  const text = wellFormed(s);
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\ufffd') : text;
}

/** A value for a jsonb column: knex sends objects as JSON, but null must stay SQL NULL. */
const jsonOrNull = (v: object | null) => (v === null ? null : JSON.stringify(v));

/**
 * Every figure must fit the amount columns. A statement does not print amounts over a
 * trillion rand: such a figure is a misreading (digits of two cells run together), and the
 * database would refuse it the same way on every retry.
 */
function assertAmountsFit(parsed: ParsedStatement): void {
  const where = (what: string) =>
    new TaskInputError(
      TaskErrorCodes.AMOUNT_OUT_OF_RANGE,
      `${what} is larger than R 999 999 999 999.99, the largest amount a statement may hold: the figure was probably misread`,
    );
  if (!fitsAmountColumn(parsed.openingBalanceCents)) throw where('The opening balance');
  if (!fitsAmountColumn(parsed.closingBalanceCents)) throw where('The closing balance');
  for (const t of parsed.transactions) {
    if (!fitsAmountColumn(t.amountCents) || !fitsAmountColumn(t.balanceCents)) throw where(`A figure on page ${t.page}, line ${t.line},`);
  }
}

/**
 * The fence between a parse's cleanup and a late save. Both lock the task's row first:
 * either the save commits before the cleanup (which then removes what it wrote), or the
 * cleanup commits first and marks the row, and the save refuses. A save outside any task
 * (no row: tools, tests) is not fenced.
 */
async function assertTaskMaySave(trx: Knex.Transaction, taskId: string): Promise<void> {
  const task = await trx('task_status').where({ task_id: taskId }).forUpdate().first('status', 'work_discarded_at');
  if (task && (task.work_discarded_at || !OPEN_STATUSES.includes(task.status))) {
    throw new TaskInputError(TaskErrorCodes.PARSE_DISCARDED, 'The parse was stopped before this attempt could save its result');
  }
}

/**
 * A parse that failed or was cancelled leaves its session FAILED and without rows, and its
 * task marked so that no attempt still running can save after this (assertTaskMaySave).
 */
export async function discardParse(db: Knex, taskId: string, sessionId: string): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('task_status').where({ task_id: taskId }).update({ work_discarded_at: trx.fn.now() });
    await trx('transactions').where({ session_id: sessionId }).delete();
    await trx('sessions').where({ id: sessionId }).update({ status: 'FAILED', transaction_count: 0, updated_at: trx.fn.now() });
  });
}

// ---- deleting a session ----------------------------------------------------------------

/** What an attempt to delete a session found. */
export type SessionDeletion =
  | { outcome: 'deleted' }
  | { outcome: 'not_found' }
  /** A task is still open on the session: nothing was deleted. */
  | { outcome: 'busy'; taskId: string; taskName: string };

/** Statuses a session can be deleted in by retention: parsed, or given up on. */
const FINISHED_SESSION_STATUSES: SessionStatus[] = ['READY', 'FAILED'];

/**
 * The open tasks working on a session: its parse (the session's task_id) and any task
 * naming it in its params (the parse, categorizations, reports). Tasks on a session are
 * its owner's. `openTaskOnSessionRow` is the same test for the `sessions` row of a query.
 */
export function openTasksOn(db: Knex, session: Pick<SessionRecord, 'id' | 'user_id' | 'task_id'>) {
  return db('task_status')
    .whereIn('status', OPEN_STATUSES as string[])
    .andWhere({ user_id: session.user_id })
    .andWhere((q) => {
      q.whereRaw(`params->>'session_id' = ?`, [session.id]);
      // A report joining several statements holds each of them, not only the first.
      q.orWhereRaw(`params->'session_ids' @> jsonb_build_array(?::text)`, [session.id]);
      if (session.task_id) q.orWhere({ task_id: session.task_id });
    });
}
const openTaskOnSessionRow = (db: Knex) =>
  db.raw(
    `exists (select 1 from task_status t where t.status in (${OPEN_STATUSES.map(() => '?').join(', ')})
       and t.user_id = sessions.user_id
       and (t.params->>'session_id' = sessions.id::text or t.params->'session_ids' @> jsonb_build_array(sessions.id::text)
            or t.task_id = sessions.task_id))`,
    [...OPEN_STATUSES],
  );

/**
 * Deletes one session in one transaction, if it matches `where` and `due` still holds once
 * its row is locked: its files (upload, scratch, reports), then the session itself, whose
 * transactions and category_snapshots rows go with it (foreign keys). The tasks that produced
 * its reports keep their rows, but their result and file_key are cleared
 * (result_cleared_at set), exactly as when the owner deletes a task's result: their result
 * then answers 410 RESULT_DELETED instead of naming a file that is gone. (This updates
 * task_status here, not in db/tasks.ts, so it shares the session's transaction.)
 *
 * The lock makes a concurrent delete of the same session wait and then find nothing, so
 * the API and retention never both delete it. A task submitted after the busy check fails
 * on its own: its first activity looks the session up and answers SESSION_NOT_FOUND.
 */
async function deleteSessionIf(
  db: Knex,
  where: { id: string; user_id?: string },
  due: (s: SessionRecord) => boolean = () => true,
): Promise<SessionDeletion> {
  return db.transaction(async (trx) => {
    const s = await trx<SessionRecord>('sessions').where(where).forUpdate().first();
    if (!s || !due(s)) return { outcome: 'not_found' };
    const busy = await openTasksOn(trx, s).orderBy('created_at').first('task_id', 'task_name');
    if (busy) return { outcome: 'busy', taskId: busy.task_id, taskName: busy.task_name };
    await deleteSessionFiles(trx, { userId: s.user_id, sessionId: s.id, uploadKey: s.file_key, parseTaskId: s.task_id });
    await trx('task_status')
      .where({ user_id: s.user_id })
      .andWhere('file_key', 'like', keyPrefixPattern(sessionReportPrefix(s.id)))
      .update({
        result: null,
        file_key: null,
        result_cleared_at: trx.raw('coalesce(result_cleared_at, now())'),
        updated_at: trx.fn.now(),
      });
    await trx('sessions').where({ id: s.id }).delete();
    return { outcome: 'deleted' };
  });
}

/**
 * The owner deletes a session (see deleteSessionIf). Another user's session is answered
 * like a missing one. `sessionId` must already be a well-formed UUID.
 */
export async function deleteSessionOfUser(db: Knex, userId: string, sessionId: string): Promise<SessionDeletion> {
  return deleteSessionIf(db, { id: sessionId.toLowerCase(), user_id: userId });
}

/**
 * Retention: one batch of READY or FAILED sessions created before `cutoff`, oldest first,
 * each deleted with its files as its owner would (in a dry run, only counted). A session
 * with a task still open on it is left in place and counted as scanned but not deleted,
 * so the caller pages past it. Returns how many were deleted (would be) and looked at.
 */
export async function deleteOldSessions(db: Knex, cutoff: Date, b: Batch, dryRun: boolean): Promise<{ deleted: number; scanned: number }> {
  const candidates: { id: string; busy: boolean }[] = await sessions(db)
    .whereIn('status', FINISHED_SESSION_STATUSES)
    .andWhere('created_at', '<', cutoff)
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .limit(b.limit)
    .offset(b.offset)
    .select('id', db.raw('? as busy', [openTaskOnSessionRow(db)]));
  let deleted = 0;
  for (const c of candidates) {
    if (c.busy) continue;
    if (dryRun) deleted += 1;
    else {
      const due = (s: SessionRecord) => FINISHED_SESSION_STATUSES.includes(s.status) && new Date(s.created_at) < cutoff;
      if ((await deleteSessionIf(db, { id: c.id }, due)).outcome === 'deleted') deleted += 1;
    }
  }
  return { deleted, scanned: candidates.length };
}
