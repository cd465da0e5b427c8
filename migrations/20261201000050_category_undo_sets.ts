import type { Knex } from 'knex';

/**
 * One row per recorded undo set: that a task took a copy of its session's categories.
 * category_undo holds only the rows that had a category, so an empty set and a missing
 * one look alike there; restoring from a missing one would clear every category in the
 * session. A restore runs only when this row says the copy was taken.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('category_undo_sets', (t) => {
    t.uuid('task_id').primary();
    t.uuid('session_id').notNullable().references('sessions.id').onDelete('CASCADE');
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('category_undo_sets');
}
