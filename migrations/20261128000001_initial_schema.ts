import type { Knex } from 'knex';

/**
 * The whole first schema: tasks, statement sessions and their transactions, and the
 * Postgres-backed file store (files split into chunks so reads and writes stream).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('task_status', (t) => {
    t.uuid('task_id').primary(); // equal to the Temporal workflow id
    t.text('user_id').notNullable();
    t.text('task_name').notNullable();
    t.text('queue').notNullable();
    t.text('status').notNullable().defaultTo('PENDING');
    t.smallint('progress_percent').notNullable().defaultTo(0);
    t.text('progress_message').notNullable().defaultTo('Submitted');
    // Mirror writes carry a sequence number; a write applies only if newer (see activities/task-mirror).
    t.bigInteger('progress_seq').notNullable().defaultTo(0);
    t.integer('attempt').notNullable().defaultTo(0);
    t.jsonb('params').notNullable().defaultTo('{}');
    t.jsonb('result');
    t.jsonb('error'); // {code, message}
    t.text('idempotency_key');
    t.text('file_key'); // a file this task produced (reports), removed with its result
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('started_at', { useTz: true });
    t.timestamp('completed_at', { useTz: true });
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('result_cleared_at', { useTz: true });
    t.check(`status in ('PENDING','PROCESSING','SUCCESS','FAILED','CANCELLED')`, [], 'task_status_status_check');
    t.check('progress_percent between 0 and 100', [], 'task_status_percent_check');
  });
  await knex.raw('create index task_status_user_created_idx on task_status (user_id, created_at desc, task_id desc)');
  await knex.raw(
    'create unique index task_status_idempotency_idx on task_status (user_id, idempotency_key) where idempotency_key is not null',
  );
  await knex.raw(`create index task_status_open_idx on task_status (updated_at) where status in ('PENDING','PROCESSING')`);
  await knex.raw('create index task_status_expires_idx on task_status (expires_at) where result is not null');

  await knex.schema.createTable('stored_files', (t) => {
    t.text('file_key').primary();
    t.text('user_id').notNullable();
    t.text('kind').notNullable(); // 'upload' | 'report' | 'work'
    t.text('filename').notNullable();
    t.text('content_type').notNullable();
    t.bigInteger('size').notNullable().defaultTo(0);
    t.text('sha256');
    t.integer('chunk_count').notNullable().defaultTo(0);
    t.boolean('complete').notNullable().defaultTo(false); // false while being written
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index stored_files_kind_created_idx on stored_files (kind, created_at)');
  await knex.schema.createTable('stored_file_chunks', (t) => {
    t.text('file_key').notNullable().references('stored_files.file_key').onDelete('CASCADE');
    t.integer('idx').notNullable();
    t.binary('data').notNullable();
    t.primary(['file_key', 'idx']);
  });

  await knex.schema.createTable('sessions', (t) => {
    t.uuid('id').primary();
    t.text('user_id').notNullable();
    t.text('client_id');
    t.uuid('task_id');
    t.text('status').notNullable().defaultTo('PARSING'); // PARSING | READY | FAILED
    t.text('bank_source');
    t.text('file_name');
    t.text('file_sha256');
    t.text('file_key');
    t.date('period_start');
    t.date('period_end');
    t.decimal('opening_balance', 14, 2);
    t.decimal('closing_balance', 14, 2);
    t.boolean('reconciled');
    t.integer('transaction_count').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index sessions_user_created_idx on sessions (user_id, created_at desc)');

  await knex.schema.createTable('transactions', (t) => {
    t.bigIncrements('id');
    t.uuid('session_id').notNullable().references('sessions.id').onDelete('CASCADE');
    t.integer('seq').notNullable(); // position in the statement: the idempotency key with session_id
    t.date('date').notNullable();
    t.text('description').notNullable().defaultTo('');
    t.decimal('amount', 14, 2).notNullable(); // negative for money out
    t.decimal('balance', 14, 2);
    t.text('category');
    t.integer('page');
    t.text('raw_text');
    t.unique(['session_id', 'seq']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('transactions');
  await knex.schema.dropTableIfExists('sessions');
  await knex.schema.dropTableIfExists('stored_file_chunks');
  await knex.schema.dropTableIfExists('stored_files');
  await knex.schema.dropTableIfExists('task_status');
}
