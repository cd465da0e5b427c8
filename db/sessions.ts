/**
 * A session's transactions in statement order, read in keyset-paginated pages so memory
 * stays flat whatever the session's size (no server-side cursor needed).
 */
import type { Knex } from 'knex';
import { decimalStringToCents } from '../domain/money';

export interface SessionRow {
  seq: number;
  date: string;
  description: string;
  category: string | null;
  amountCents: number;
  balanceCents: number | null;
}

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
