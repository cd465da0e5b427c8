import type { Knex } from 'knex';

/**
 * Corrections of a statement's rows by its owner (db/corrections.ts):
 *
 *  - sessions.version: bumped by every correction; clients send it back in If-Match, so
 *    two people correcting one statement cannot overwrite each other unseen.
 *  - sessions.corrected: a person changed the rows, so the figures are no longer only what
 *    the bank printed (reports say so).
 *  - transaction_corrections: who changed which row, when, and the row before and after:
 *    the audit of a statement whose proof now rests partly on a person's word.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => {
    t.integer('version').notNullable().defaultTo(1);
    t.boolean('corrected').notNullable().defaultTo(false);
  });
  await knex.schema.createTable('transaction_corrections', (t) => {
    t.bigIncrements('id');
    t.uuid('session_id').notNullable().references('sessions.id').onDelete('CASCADE');
    t.text('user_id').notNullable();
    t.text('action').notNullable();
    // No foreign key: a deleted row's corrections outlive it.
    t.bigInteger('transaction_id').notNullable();
    t.jsonb('before');
    t.jsonb('after');
    t.integer('version').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['session_id', 'id'], 'transaction_corrections_session_idx');
  });
  await knex.raw(`alter table transaction_corrections add constraint transaction_corrections_action_check check (action in ('update', 'insert', 'delete'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('transaction_corrections');
  await knex.schema.alterTable('sessions', (t) => {
    t.dropColumn('corrected');
    t.dropColumn('version');
  });
}
