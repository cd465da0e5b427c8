/**
 * The sessions and transactions tables: a parsed statement and its rows. Every lookup of a
 * session is scoped by its owner here, so no caller can forget to: another user's session
 * reads exactly like a missing one.
 */
import type { Knex } from 'knex';
import { centsToDecimalString, decimalStringToCents } from '../domain/money';
import type { ParsedStatement } from '../domain/statements';

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

export interface TransactionRecord {
  id: string;
  date: string;
  description: string;
  amount: string;
  balance: string | null;
  category: string | null;
}

/** One page of a session's transactions in statement order (the caller has checked ownership). */
export async function transactionsPage(db: Knex, sessionId: string, page: { limit: number; offset: number }): Promise<TransactionRecord[]> {
  return db('transactions')
    .where({ session_id: sessionId })
    .orderBy('seq')
    .limit(page.limit)
    .offset(page.offset)
    .select('id', db.raw(`to_char(date, 'YYYY-MM-DD') as date`), 'description', 'amount', 'balance', 'category');
}

export interface SessionRow {
  seq: number;
  date: string;
  description: string;
  category: string | null;
  amountCents: number;
  balanceCents: number | null;
}

/**
 * A session's transactions in statement order, read in keyset-paginated pages so memory
 * stays flat whatever the session's size (no server-side cursor needed).
 */
export async function* sessionRows(db: Knex, sessionId: string, pageSize = 2000): AsyncGenerator<SessionRow> {
  let after = -1;
  for (;;) {
    const rows = await db('transactions')
      .where({ session_id: sessionId })
      .andWhere('seq', '>', after)
      .orderBy('seq')
      .limit(pageSize)
      .select('seq', db.raw(`to_char(date, 'YYYY-MM-DD') as date`), 'description', 'category', 'amount', 'balance');
    for (const r of rows) {
      yield {
        seq: r.seq,
        date: r.date,
        description: r.description,
        category: r.category,
        amountCents: decimalStringToCents(r.amount),
        balanceCents: r.balance === null ? null : decimalStringToCents(r.balance),
      };
    }
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].seq;
  }
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

/** 7 columns × 2000 rows = 14,000 parameters per insert, well under Postgres' 65,535. */
const INSERT_BATCH = 2000;

/**
 * Saves a parsed statement as one transaction: the session row (created if absent), its
 * transactions, and READY with its balances. A retried save replaces what an earlier
 * attempt wrote, so the end state is the same. `onBatch` runs after each insert batch
 * (a heartbeat: a long save must not look like a dead worker).
 */
export async function saveStatement(db: Knex, s: NewSession, parsed: ParsedStatement, onBatch: () => void = () => undefined): Promise<void> {
  await db.transaction(async (trx) => {
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
    for (let i = 0; i < rows.length; i += INSERT_BATCH) {
      await trx('transactions').insert(
        rows.slice(i, i + INSERT_BATCH).map((t) => ({
          session_id: s.sessionId,
          seq: t.seq,
          date: t.date,
          description: t.description,
          amount: centsToDecimalString(t.amountCents),
          balance: t.balanceCents === null ? null : centsToDecimalString(t.balanceCents),
          page: t.page,
          raw_text: t.rawText,
        })),
      );
      onBatch();
    }
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
        updated_at: trx.fn.now(),
      });
  });
}

/** A parse that failed or was cancelled leaves its session FAILED and without rows. */
export async function failSession(db: Knex, sessionId: string): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('transactions').where({ session_id: sessionId }).delete();
    await trx('sessions').where({ id: sessionId }).update({ status: 'FAILED', transaction_count: 0, updated_at: trx.fn.now() });
  });
}

/** The range of a session's row positions and its row count (an empty session: max < min). */
export async function sessionSeqRange(db: Knex, sessionId: string): Promise<{ seqMin: number; seqMax: number; rowCount: number }> {
  const r = await db('transactions')
    .where({ session_id: sessionId })
    .first(db.raw('min(seq)::int as min'), db.raw('max(seq)::int as max'), db.raw('count(*)::int as count'));
  return { seqMin: r?.min ?? 0, seqMax: r?.max ?? -1, rowCount: r?.count ?? 0 };
}
