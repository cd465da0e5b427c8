import type { Knex } from 'knex';

/**
 * Categories as they were before a bulk-categorize task touched them. Chunks commit one
 * by one (so progress moves and a retry redoes one chunk); this table lets a cancelled or
 * failed task put every category back, and is emptied when the task succeeds.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('category_undo', (t) => {
    t.uuid('task_id').notNullable();
    t.uuid('session_id').notNullable().references('sessions.id').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.text('old_category');
    t.primary(['task_id', 'seq']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('category_undo');
}
