import type { Knex } from 'knex';

/**
 * What the submission path (api/task-submission.ts) relies on the database to enforce:
 *  - `idempotency_hash`: a hash of the request an Idempotency-Key was first used for, so the
 *    key answers only that request (another request with the key is refused with 422).
 *  - `start_confirmed_at`: when the workflow of a task was seen to exist (the start was
 *    acknowledged, or the pending sweep found it). Rows without it are the only ones the
 *    sweep (platform/task-reconcile.ts) has to look at; the partial index keeps that cheap.
 *  - One open categorization per session, as a unique index: two simultaneous requests
 *    cannot both insert, whatever order their reads and writes run in.
 */
const SESSION_BUSY_INDEX = 'task_status_session_busy_idx';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('task_status', (t) => {
    t.text('idempotency_hash');
    t.timestamp('start_confirmed_at', { useTz: true });
  });
  await knex.raw(
    `create index task_status_unconfirmed_idx on task_status (created_at) where status = 'PENDING' and start_confirmed_at is null`,
  );

  const { rows } = await knex.raw<{ rows: { session_id: string }[] }>(`
    select params->>'session_id' as session_id from task_status
     where task_name = 'bulk_categorize_async' and status in ('PENDING','PROCESSING')
     group by 1 having count(*) > 1 limit 5`);
  if (rows.length > 0) {
    // Refusing is safer than picking one of two running workflows to forget about.
    throw new Error(
      `sessions ${rows.map((r) => r.session_id).join(', ')} have more than one categorization running; ` +
        'run this migration again once they have finished (at most HARD_TIME_LIMIT_SECONDS)',
    );
  }
  await knex.raw(`
    create unique index ${SESSION_BUSY_INDEX} on task_status ((params->>'session_id'))
     where task_name = 'bulk_categorize_async' and status in ('PENDING','PROCESSING')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop index if exists ${SESSION_BUSY_INDEX}`);
  await knex.raw('drop index if exists task_status_unconfirmed_idx');
  await knex.schema.alterTable('task_status', (t) => {
    t.dropColumn('start_confirmed_at');
    t.dropColumn('idempotency_hash');
  });
}
