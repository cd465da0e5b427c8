/** Test data for the rules' SQL tests: a session of known rows, and reading categories back. */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { compileRuleSet, validateRuleSet, type Condition } from '../../../domain/rules';
import { applyRulesToRange } from '../../../db/categories';
import type { TruthRow } from '../../unit/rules/truth-table';

export async function createSession(db: Knex): Promise<string> {
  const id = randomUUID();
  await db('sessions').insert({ id, user_id: 'rules-test', status: 'READY' });
  return id;
}

export async function insertRows(db: Knex, sessionId: string, rows: TruthRow[]): Promise<void> {
  await db('transactions').insert(
    rows.map((r) => ({
      session_id: sessionId,
      seq: r.seq,
      date: r.date,
      description: r.description,
      amount: String(r.amount),
      balance: r.balance === null ? null : String(r.balance),
      category: r.category,
    })),
  );
}

export async function categories(db: Knex, sessionId: string): Promise<Record<number, string | null>> {
  const rows = (await db('transactions').select('seq', 'category').where('session_id', sessionId).orderBy('seq')) as {
    seq: number;
    category: string | null;
  }[];
  return Object.fromEntries(rows.map((r) => [r.seq, r.category]));
}

export async function setCategories(db: Knex, sessionId: string, category: string | null): Promise<void> {
  await db('transactions').where('session_id', sessionId).update({ category });
}

/** Applies `input` (a request body) to the whole session as one range. */
export async function apply(db: Knex, sessionId: string, input: unknown, seqFrom = 1, seqTo = 1_000_000): Promise<number> {
  const compiled = compileRuleSet(validateRuleSet(input, { maxRules: 500 }));
  const { updated } = await applyRulesToRange(db, { sessionId, seqFrom, seqTo, compiled, statementTimeoutMs: 30_000 });
  return updated;
}

/** The seqs a single-rule set marks 'HIT' through the SQL path (categories reset first). */
export async function sqlMatches(db: Knex, sessionId: string, condition: Condition): Promise<number[]> {
  await setCategories(db, sessionId, null);
  await apply(db, sessionId, { rules: [{ category: 'HIT', conditions: condition }] });
  const got = await categories(db, sessionId);
  return Object.entries(got)
    .filter(([, c]) => c === 'HIT')
    .map(([s]) => Number(s));
}
