import type { Knex } from 'knex';

/**
 * The password of a locked statement, sealed (platform/secret-box.ts, bound to the task
 * id), from its upload until its parse ends. One row per task. No foreign key to
 * task_status: the upload route writes the secret before the task row exists, so the
 * workflow never waits for it. The cleanup schedule sweeps rows a parse left behind
 * (created_at for age, task_id to find terminal tasks).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('upload_secrets', (t) => {
    t.uuid('task_id').primary();
    t.binary('sealed').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index upload_secrets_created_idx on upload_secrets (created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('upload_secrets');
}
