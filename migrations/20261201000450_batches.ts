import type { Knex } from 'knex';

/**
 * Batch uploads: several statements in one POST /upload_pdf_async, one task each.
 * `batches` is the upload (its owner, the files refused at upload with their errors, and
 * when it was seen complete); `batch_tasks` lists its tasks in upload order. The links are
 * written before the tasks are submitted, so a task that ends at once already belongs to
 * its batch; hence no foreign key to task_status (the rows come after). completed_at is
 * set once, by completeBatchIfDone (db/batches.ts), when every task has ended.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('batches', (t) => {
    t.uuid('id').primary();
    t.text('user_id').notNullable();
    t.jsonb('rejected').notNullable().defaultTo('[]');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true });
  });
  await knex.schema.createTable('batch_tasks', (t) => {
    t.uuid('task_id').primary();
    t.uuid('batch_id').notNullable().references('id').inTable('batches').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.unique(['batch_id', 'position']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('batch_tasks');
  await knex.schema.dropTableIfExists('batches');
}
