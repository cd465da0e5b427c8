import type { Knex } from 'knex';

/**
 * webhook_deliveries.sender: the workflow that sends the delivery, set by its first attempt
 * (db/webhooks.ts claimDelivery). Two delivery workflows may both be handed one delivery —
 * a task's own, and the one the API starts to complete a batch whose last file it could not
 * submit — and only the one that claimed it sends it: a receiver gets each event once.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('webhook_deliveries', (t) => {
    t.text('sender');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('webhook_deliveries', (t) => {
    t.dropColumn('sender');
  });
}
