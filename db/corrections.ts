/**
 * Corrections of a statement's rows by its owner, and their audit (transaction_corrections).
 *
 * One correction is one database transaction that also writes the session's transactions
 * and its sessions row: the row change, the recheck of the whole statement, the session's
 * new proof, review and version, and the audit row must commit together or not at all.
 * Split across modules they could not share the lock on the session row that makes the
 * version check (If-Match) and the busy check hold until the commit.
 */
import type { Knex } from 'knex';
import { centsToDecimalString, centsToNumber, decimalStringToCents } from '../domain/money';
import { assignFitids, fitidScope } from '../domain/statements/fitid';
import { recheckRows, reviewOfRecheck, type RecheckRow } from '../domain/statements/recheck';
import type { FullReview } from '../domain/statements/review';
import { openTasksOn, type SessionRecord } from './sessions';

export type CorrectionAction = 'update' | 'insert' | 'delete';

/** The figures of a row a person may change. Amounts in cents. */
export interface RowFields {
  date: string;
  description: string;
  amountCents: number;
  balanceCents: number | null;
}

export type Correction =
  | { action: 'update'; transactionId: number; fields: Partial<RowFields> }
  /** `after`: the row the new one follows; null for a new first row. */
  | { action: 'insert'; after: number | null; fields: RowFields }
  | { action: 'delete'; transactionId: number };

/** A row as the audit and the answers show it. */
export interface RowSnapshot {
  id: number;
  seq: number;
  fitid: string | null;
  date: string;
  description: string;
  amount: number;
  balance: number | null;
  category: string | null;
  page: number | null;
  line: number | null;
}

export interface CorrectedSession {
  sessionId: string;
  version: number;
  proven: boolean;
  corrected: true;
  transactionCount: number;
  review: FullReview | null;
  /** The row as it now is; null after a delete. */
  transaction: RowSnapshot | null;
}

export type CorrectionOutcome =
  | { outcome: 'done'; session: CorrectedSession }
  | { outcome: 'not_found' }
  | { outcome: 'not_ready'; status: string }
  | { outcome: 'busy'; taskId: string; taskName: string }
  | { outcome: 'version_mismatch'; currentVersion: number }
  | { outcome: 'transaction_not_found' }
  | { outcome: 'after_not_found' };

const SNAPSHOT_COLUMNS = (db: Knex) => [
  'id',
  'seq',
  'fitid',
  db.raw(`to_char(date, 'YYYY-MM-DD') as date`),
  'description',
  'amount',
  'balance',
  'category',
  'page',
  'line',
];

interface SnapshotRow {
  id: string;
  seq: number;
  fitid: string | null;
  date: string;
  description: string;
  amount: string;
  balance: string | null;
  category: string | null;
  page: number | null;
  line: number | null;
}

const snapshot = (r: SnapshotRow): RowSnapshot => ({
  id: Number(r.id),
  seq: r.seq,
  fitid: r.fitid,
  date: r.date,
  description: r.description,
  amount: centsToNumber(decimalStringToCents(r.amount))!,
  balance: r.balance === null ? null : centsToNumber(decimalStringToCents(r.balance)),
  category: r.category,
  page: r.page,
  line: r.line,
});

async function rowOf(trx: Knex.Transaction, sessionId: string, id: number): Promise<SnapshotRow | undefined> {
  return trx('transactions').where({ session_id: sessionId, id }).first(SNAPSHOT_COLUMNS(trx));
}

const columnsOf = (f: Partial<RowFields>): Record<string, unknown> => ({
  ...(f.date !== undefined ? { date: f.date } : {}),
  ...(f.description !== undefined ? { description: f.description } : {}),
  ...(f.amountCents !== undefined ? { amount: centsToDecimalString(f.amountCents) } : {}),
  ...(f.balanceCents !== undefined ? { balance: f.balanceCents === null ? null : centsToDecimalString(f.balanceCents) } : {}),
});

/**
 * Applies one correction of the user's session if its version is still `expectedVersion`,
 * the session is READY and no task is open on it; then rechecks every row and records the
 * change. Another user's session reads exactly like a missing one.
 */
export async function applyCorrection(
  db: Knex,
  c: { userId: string; sessionId: string; expectedVersion: number; change: Correction },
): Promise<CorrectionOutcome> {
  return db.transaction(async (trx) => {
    const s = await trx<SessionRecord>('sessions').where({ id: c.sessionId.toLowerCase(), user_id: c.userId }).forUpdate().first();
    if (!s) return { outcome: 'not_found' };
    if (s.status !== 'READY') return { outcome: 'not_ready', status: s.status };
    const busy = await openTasksOn(trx, s).orderBy('created_at').first('task_id', 'task_name');
    if (busy) return { outcome: 'busy', taskId: busy.task_id, taskName: busy.task_name };
    if (s.version !== c.expectedVersion) return { outcome: 'version_mismatch', currentVersion: s.version };

    const change = c.change;
    let before: SnapshotRow | undefined;
    let afterId: number | null;
    if (change.action === 'update') {
      before = await rowOf(trx, s.id, change.transactionId);
      if (!before) return { outcome: 'transaction_not_found' };
      const cols = columnsOf(change.fields);
      if (Object.keys(cols).length > 0) await trx('transactions').where({ id: before.id }).update(cols);
      afterId = Number(before.id);
    } else if (change.action === 'delete') {
      before = await rowOf(trx, s.id, change.transactionId);
      if (!before) return { outcome: 'transaction_not_found' };
      await trx('transactions').where({ id: before.id }).delete();
      afterId = null;
    } else {
      const inserted = await insertRow(trx, s, change.after, change.fields);
      if (inserted === null) return { outcome: 'after_not_found' };
      afterId = inserted;
    }

    const rows = await recheckRowsOf(trx, s.id);
    const check = recheckRows(cents(s.opening_balance), cents(s.closing_balance), rows);
    const review = reviewOfRecheck(check);
    const version = s.version + 1;
    await trx('sessions')
      .where({ id: s.id })
      .update({
        reconciled: check.proven,
        review: review === null ? null : JSON.stringify(review),
        corrected: true,
        transaction_count: rows.length,
        version,
        updated_at: trx.fn.now(),
      });
    const after = afterId === null ? undefined : await rowOf(trx, s.id, afterId);
    const transactionId = Number(before?.id ?? afterId);
    await trx('transaction_corrections').insert({
      session_id: s.id,
      user_id: c.userId,
      action: change.action,
      transaction_id: transactionId,
      before: before ? JSON.stringify(snapshot(before)) : null,
      after: after ? JSON.stringify(snapshot(after)) : null,
      version,
    });
    return {
      outcome: 'done',
      session: {
        sessionId: s.id,
        version,
        proven: check.proven,
        corrected: true,
        transactionCount: rows.length,
        review,
        transaction: after ? snapshot(after) : null,
      },
    };
  });
}

const cents = (v: string | null) => (v === null ? null : decimalStringToCents(v));

/** Every row of the session in statement order, as the recheck reads them. */
async function recheckRowsOf(trx: Knex.Transaction, sessionId: string): Promise<RecheckRow[]> {
  const rows: { id: string; page: number | null; line: number | null; amount: string; balance: string | null }[] = await trx('transactions')
    .where({ session_id: sessionId })
    .orderBy('seq')
    .select('id', 'page', 'line', 'amount', 'balance');
  return rows.map((r) => ({ id: Number(r.id), page: r.page, line: r.line, amountCents: decimalStringToCents(r.amount), balanceCents: cents(r.balance) }));
}

/**
 * Inserts a row after `after` (null: first), moving every later row one place down. The
 * later rows are negated, then restored one higher, in two statements, so no moment holds
 * two rows at one seq (UNIQUE(session_id, seq) is checked per statement). The new row
 * takes its page from the row it follows (or the first row) and has no line: it was not
 * read from one. Returns its id, or null when `after` is not a row of the session.
 */
async function insertRow(trx: Knex.Transaction, s: SessionRecord, after: number | null, f: RowFields): Promise<number | null> {
  let seq: number;
  let page: number | null;
  if (after === null) {
    const first = await trx('transactions').where({ session_id: s.id }).orderBy('seq').first('seq', 'page');
    seq = first?.seq ?? 1;
    page = first?.page ?? null;
  } else {
    const prev = await trx('transactions').where({ session_id: s.id, id: after }).first('seq', 'page');
    if (!prev) return null;
    seq = prev.seq + 1;
    page = prev.page;
  }
  // seq ≥ 0 everywhere, so -seq - 1 < 0 is free, and -(-seq - 1) = seq + 1.
  await trx('transactions').where({ session_id: s.id }).andWhere('seq', '>=', seq).update({ seq: trx.raw('-seq - 1') });
  await trx('transactions').where({ session_id: s.id }).andWhere('seq', '<', 0).update({ seq: trx.raw('-seq') });
  const fitid = await newFitid(trx, s, f);
  const [row] = await trx('transactions')
    .insert({ session_id: s.id, seq, page, line: null, raw_text: null, fitid, ...columnsOf(f) })
    .returning('id');
  return Number(row.id);
}

/**
 * The id a parse would give a row with these figures (domain/statements/fitid.ts): the
 * next occurrence among the session's identical rows, and the next after that while an
 * existing row holds it (edited rows keep the id they were parsed with).
 */
async function newFitid(trx: Knex.Transaction, s: SessionRecord, f: RowFields): Promise<string> {
  const scope = fitidScope(s.bank_source ?? '', s.account_key);
  const same = await trx('transactions')
    .where({ session_id: s.id, date: f.date, amount: centsToDecimalString(f.amountCents) })
    .select('description', 'balance', 'fitid');
  const norm = (d: string) => d.replace(/\s+/g, ' ').trim();
  const identical = same.filter((r) => norm(r.description) === norm(f.description) && cents(r.balance) === f.balanceCents).length;
  const taken = new Set(same.map((r) => r.fitid));
  // assignFitids numbers identical rows 0, 1, …: n + 1 copies give the (n + 1)-th id last.
  const copies = (n: number) => assignFitids(scope, Array.from({ length: n }, () => f)).at(-1)!;
  let n = identical + 1;
  let id = copies(n);
  while (taken.has(id)) id = copies(++n);
  return id;
}

export interface CorrectionRecord {
  id: string;
  user_id: string;
  action: CorrectionAction;
  transaction_id: string;
  before: RowSnapshot | null;
  after: RowSnapshot | null;
  version: number;
  created_at: Date;
}

/** Every correction of a session, oldest first (the caller has checked ownership). */
export async function correctionsOfSession(db: Knex, sessionId: string): Promise<CorrectionRecord[]> {
  return db('transaction_corrections').where({ session_id: sessionId }).orderBy('id').select('id', 'user_id', 'action', 'transaction_id', 'before', 'after', 'version', 'created_at');
}

/** The session's rows with these ids, as the review shows them beside a problem (the caller has checked ownership). */
export async function rowsByIds(db: Knex, sessionId: string, ids: number[]) {
  if (ids.length === 0) return [];
  return (await db('transactions')
    .where({ session_id: sessionId })
    .whereIn('id', ids)
    .select('id', 'fitid', 'page', 'line', db.raw(`to_char(date, 'YYYY-MM-DD') as date`), 'description', 'amount', 'balance', 'raw_text')) as {
    id: string;
    fitid: string | null;
    page: number | null;
    line: number | null;
    date: string;
    description: string;
    amount: string;
    balance: string | null;
    raw_text: string | null;
  }[];
}
