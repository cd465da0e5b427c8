import type { Knex } from 'knex';

/**
 * Webhooks (docs/webhooks.md):
 *  - `webhooks`: a user's registered receivers, each with its signing secret sealed
 *    (platform/secret-box.ts, purpose webhook-secret, bound to the webhook id).
 *  - `task_callbacks`: the callback_url of one task and its sealed secret (bound to the
 *    task id). Kept out of task_status.params, which the workflow input and logs may echo.
 *  - `webhook_deliveries`: one event to one receiver, with the exact body every attempt
 *    sends; `webhook_delivery_attempts`: each try. Both go with their task (cascade), so
 *    the cleanup schedule's deletion of old tasks removes them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhooks', (t) => {
    t.uuid('id').primary();
    t.text('user_id').notNullable();
    t.text('url').notNullable();
    t.binary('secret_sealed').notNullable();
    t.specificType('events', 'text[]').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['user_id', 'created_at'], 'webhooks_user_idx');
  });
  await knex.schema.createTable('task_callbacks', (t) => {
    t.uuid('task_id').primary().references('task_status.task_id').onDelete('CASCADE');
    t.text('url').notNullable();
    t.binary('secret_sealed');
  });
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.uuid('id').primary();
    t.uuid('task_id').notNullable().references('task_status.task_id').onDelete('CASCADE');
    t.text('user_id').notNullable();
    t.text('event').notNullable();
    t.text('event_id').notNullable();
    /** 'callback', or the webhook's id: one delivery per event and receiver, however often it is prepared. */
    t.text('target_key').notNullable();
    t.uuid('webhook_id').references('webhooks.id').onDelete('SET NULL');
    t.text('url').notNullable();
    t.text('payload').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true });
    t.unique(['event_id', 'target_key'], { indexName: 'webhook_deliveries_event_target_idx' });
    t.index(['task_id', 'created_at'], 'webhook_deliveries_task_idx');
  });
  await knex.raw(`alter table webhook_deliveries add constraint webhook_deliveries_status_check check (status in ('pending','delivered','failed'))`);
  await knex.schema.createTable('webhook_delivery_attempts', (t) => {
    t.uuid('delivery_id').notNullable().references('webhook_deliveries.id').onDelete('CASCADE');
    t.integer('attempt').notNullable();
    t.integer('status_code');
    t.text('error_kind');
    t.integer('duration_ms').notNullable();
    t.text('response_snippet');
    t.text('outcome').notNullable();
    t.timestamp('attempted_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['delivery_id', 'attempt']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('webhook_delivery_attempts');
  await knex.schema.dropTable('webhook_deliveries');
  await knex.schema.dropTable('task_callbacks');
  await knex.schema.dropTable('webhooks');
}
