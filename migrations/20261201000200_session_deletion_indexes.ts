import type { Knex } from 'knex';

/**
 * Indexes for deleting a session (DELETE /sessions/{id} and the old_sessions cleanup step):
 *  - a session's reports are found by their key prefix (`reports/<session_id>/`), in the
 *    file store and in the task rows that produced them. `text_pattern_ops` lets a
 *    `like 'prefix%'` use the index whatever the database's collation (the primary key's
 *    index serves it only under the C collation);
 *  - retention looks for finished sessions by age.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create index stored_files_key_prefix_idx on stored_files (file_key text_pattern_ops)');
  await knex.raw('create index task_status_file_key_prefix_idx on task_status (file_key text_pattern_ops) where file_key is not null');
  await knex.raw(`create index sessions_finished_created_idx on sessions (created_at) where status in ('READY', 'FAILED')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists sessions_finished_created_idx');
  await knex.raw('drop index if exists task_status_file_key_prefix_idx');
  await knex.raw('drop index if exists stored_files_key_prefix_idx');
}
