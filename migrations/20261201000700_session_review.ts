import type { Knex } from 'knex';

/**
 * What a person must review in a statement that did not prove itself
 * (domain/statements/review.ts), kept with its session:
 *
 *  - sessions.review: every problem the parse found (kind, code, page, line, message) and
 *    the counts per kind; null when the statement reconciled. The task's result holds only
 *    the first few and expires with the task; the session keeps them for as long as it lives.
 *  - transactions.line: the row's line on its page, so a problem at a page and line can be
 *    shown with the row the parser read there. Null for rows parsed before this.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => {
    t.jsonb('review');
  });
  await knex.schema.alterTable('transactions', (t) => {
    t.integer('line');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('transactions', (t) => {
    t.dropColumn('line');
  });
  await knex.schema.alterTable('sessions', (t) => {
    t.dropColumn('review');
  });
}
