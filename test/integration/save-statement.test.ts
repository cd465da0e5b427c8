/**
 * saveStatement against a real Postgres: the rows go in by COPY, in batches, and every
 * field comes back as it was parsed — across batch boundaries, with text COPY's format
 * escapes (backslashes, a literal \N, newlines, carriage returns, tabs) and text beyond
 * ASCII (accents, emoji), a lone surrogate and a NUL stored as U+FFFD (as the driver stores
 * a lone surrogate in a text parameter; Postgres text cannot hold NUL), no balance, and
 * amounts at both signs and the column's ends.
 */
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Knex } from 'knex';
import { saveStatement } from '../../db/sessions';
import { centsToDecimalString } from '../../domain/money';
import type { ParsedStatement, ParsedTransaction } from '../../domain/statements';
import { getTestDb, truncateAll } from '../support/postgres';

const TEXTS = [
  'plain',
  'quote " and \' apostrophe',
  'back\\slash \\n not a newline',
  '\\N',
  'line\nbreak\ttab\rreturn',
  'Café Ünïcödé ₹ 😀',
  'lone \ud800 half',
  'nul \u0000 char',
  '',
];

function rowsOf(count: number): ParsedTransaction[] {
  return Array.from({ length: count }, (_, i) => ({
    seq: i + 1,
    date: `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
    description: `${TEXTS[i % TEXTS.length]} ${i}`,
    amountCents: i === 0 ? 999_999_999_999 : i === 1 ? -999_999_999_999 : (i % 2 ? -1 : 1) * (i * 37 + 1),
    balanceCents: i % 5 === 0 ? null : i * 101,
    page: Math.floor(i / 50) + 1,
    line: (i % 50) + 3,
    rawText: `raw ${TEXTS[(i + 3) % TEXTS.length]} ${i}`,
  }));
}

/** A parsed statement of these rows (what saving needs; no warnings, not reconciled). */
function statementOf(transactions: ParsedTransaction[]): ParsedStatement {
  return {
    bankSource: 'FNB',
    accountNumber: null,
    transactions,
    openingBalanceCents: 0,
    closingBalanceCents: 1,
    periodStart: null,
    periodEnd: null,
    reconciled: false,
    warnings: [],
    skippedRows: [],
  };
}

describe('saving a parsed statement (real Postgres)', function () {
  this.timeout(120_000);
  let db: Knex;

  before(async () => {
    db = await getTestDb();
  });
  beforeEach(() => truncateAll(db));

  it('stores every row as parsed, across insert batches, with escaped text intact', async () => {
    const transactions = rowsOf(12_003);
    const parsed = statementOf(transactions);
    const session = { taskId: '00000000-0000-4000-8000-0000000000b1', userId: 'u1', sessionId: '00000000-0000-4000-8000-0000000000b2', clientId: null, fileKey: 'k', fileName: 'f.pdf', sha256: null };
    // onBatch is a heartbeat: it must run in the caller's async context (an activity's).
    const context = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    await context.run('the activity', () => saveStatement(db, session, parsed, () => seen.push(context.getStore())));
    assert.ok(seen.length >= 3, `${seen.length} insert batches`);
    assert.deepEqual(new Set(seen), new Set(['the activity']));

    const stored = await db('transactions')
      .where({ session_id: session.sessionId })
      .orderBy('seq')
      .select('seq', db.raw("to_char(date, 'YYYY-MM-DD') as date"), 'description', 'amount', 'balance', 'page', 'line', 'raw_text', 'fitid');
    assert.equal(stored.length, transactions.length);
    const fffd = (s: string) => s.replace('\ud800', '\ufffd').replace('\u0000', '\ufffd');
    transactions.forEach((t, i) => {
      const s = stored[i];
      assert.deepEqual(
        { seq: s.seq, date: s.date, description: s.description, amount: s.amount, balance: s.balance, page: s.page, line: s.line, raw_text: s.raw_text },
        {
          seq: t.seq,
          date: t.date,
          description: fffd(t.description),
          amount: centsToDecimalString(t.amountCents),
          balance: t.balanceCents === null ? null : centsToDecimalString(t.balanceCents),
          page: t.page,
          line: t.line,
          raw_text: fffd(t.rawText),
        },
        `row ${t.seq}`,
      );
      assert.match(s.fitid, /\S/);
    });
    assert.equal(new Set(stored.map((s) => s.fitid)).size, stored.length, 'every row its own id');
    const session0 = await db('sessions').where({ id: session.sessionId }).first();
    assert.equal(session0.status, 'READY');
    assert.equal(session0.transaction_count, transactions.length);
  });

  it('a row Postgres refuses fails the save whole: no session row, no transactions, and the pool still works', async () => {
    const transactions = rowsOf(7_001);
    transactions[6_500] = { ...transactions[6_500], date: '2026-02-30' }; // in the second COPY batch
    const parsed = statementOf(transactions);
    const session = { taskId: '00000000-0000-4000-8000-0000000000c1', userId: 'u1', sessionId: '00000000-0000-4000-8000-0000000000c2', clientId: null, fileKey: 'k', fileName: 'f.pdf', sha256: null };
    await assert.rejects(saveStatement(db, session, parsed), /date/i);
    assert.equal(await db('sessions').where({ id: session.sessionId }).first(), undefined);
    assert.equal(Number((await db('transactions').count({ n: '*' }))[0].n), 0);
    // Every connection of the pool is usable after the refused COPY.
    const answers = await Promise.all(Array.from({ length: 12 }, () => db.raw('select 1 as one')));
    assert.ok(answers.every((a) => a.rows[0].one === 1));
    transactions[6_500] = { ...transactions[6_500], date: '2026-02-28' };
    await saveStatement(db, session, parsed);
    assert.equal(Number((await db('transactions').where({ session_id: session.sessionId }).count({ n: '*' }))[0].n), transactions.length);
  });
});
