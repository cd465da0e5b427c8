import type { Knex } from 'knex';

/**
 * When a task's cleanup discarded its partial data (a failed or cancelled parse). A retry
 * of that task still running somewhere (a worker cut off from the server keeps going until
 * it notices) must not save after that: the save checks this column under a row lock.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('task_status', (t) => {
    t.timestamp('work_discarded_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('task_status', (t) => {
    t.dropColumn('work_discarded_at');
  });
}
