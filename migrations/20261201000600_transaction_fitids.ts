import type { Knex } from 'knex';
import { assignFitids, fitidScope } from '../domain/statements/fitid';

/**
 * Stable transaction ids (domain/statements/fitid.ts) and the account they are scoped by.
 *
 *  - transactions.fitid: the row's id, the same in every parse of its statement and in
 *    every statement of its account that prints it.
 *  - sessions.account_key: a hash of the account number the statement prints (never the
 *    number itself), and account_mask its last four digits for display; both null when no
 *    number was found. Indexed per user, for a user's sessions of one account.
 *
 * Rows parsed before this have their ids filled in here, by the same function the save
 * uses, session by session. Those statements were parsed without reading the account, so
 * their ids are scoped by the bank (what a statement without a printed number gets too).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => {
    t.text('account_key');
    t.text('account_mask');
    t.index(['user_id', 'account_key'], 'sessions_user_account_idx');
  });
  await knex.schema.alterTable('transactions', (t) => {
    t.text('fitid');
  });
  await fillMissingFitids(knex);
}

/** Gives the rows of every READY session that has rows without an id the ids a parse gives them (exported for its test). */
export async function fillMissingFitids(knex: Knex): Promise<void> {
  const sessions = (await knex('sessions')
    .select('id', 'bank_source', 'account_key')
    .where({ status: 'READY' })
    .whereExists(knex('transactions').select(knex.raw('1')).whereRaw('transactions.session_id = sessions.id').whereNull('fitid'))) as {
    id: string;
    bank_source: string | null;
    account_key: string | null;
  }[];
  for (const s of sessions) {
    const rows = (await knex('transactions')
      .where({ session_id: s.id })
      .orderBy('seq')
      .select('id', knex.raw(`to_char(date, 'YYYY-MM-DD') as date`), 'description', knex.raw('(amount * 100)::bigint as amount_cents'), knex.raw('(balance * 100)::bigint as balance_cents'))) as {
      id: string;
      date: string;
      description: string;
      amount_cents: string;
      balance_cents: string | null;
    }[];
    if (rows.length === 0) continue;
    const ids = assignFitids(
      fitidScope(s.bank_source ?? '', s.account_key),
      rows.map((r) => ({ date: r.date, description: r.description, amountCents: Number(r.amount_cents), balanceCents: r.balance_cents === null ? null : Number(r.balance_cents) })),
    );
    // One statement per session: the ids as an array, matched to the rows by their order.
    await knex.raw(
      `update transactions t set fitid = v.fitid
         from unnest(?::bigint[], ?::text[]) as v(id, fitid)
        where t.id = v.id`,
      [rows.map((r) => r.id), ids],
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('transactions', (t) => {
    t.dropColumn('fitid');
  });
  await knex.schema.alterTable('sessions', (t) => {
    t.dropIndex(['user_id', 'account_key'], 'sessions_user_account_idx');
    t.dropColumn('account_key');
    t.dropColumn('account_mask');
  });
}
