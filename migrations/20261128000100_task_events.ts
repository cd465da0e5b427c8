import type { Knex } from 'knex';

/**
 * task_events: the numbered history of every visible change of a task (status, percent,
 * message), for the Server-Sent Events stream (api/routes/events.ts).
 *
 * Triggers write it, so every writer of task_status (mirror activities, reconciliation,
 * the submission path) produces events without knowing about them:
 *  - BEFORE INSERT/UPDATE numbers the change in task_status.event_seq. The update holds
 *    the row lock until commit, so numbers per task are gapless and commit in order: a
 *    reader that sees event n has already been able to see every event before it.
 *  - AFTER INSERT/UPDATE (only when the number moved) appends the event and sends
 *    pg_notify('task_events', task_id), delivered at commit, so listeners never read an
 *    event that is not there yet. The API listens on ONE connection per process.
 * Events go with their task (FK cascade) when retention deletes it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('task_status', (t) => {
    t.integer('event_seq').notNullable().defaultTo(0);
  });
  await knex.schema.createTable('task_events', (t) => {
    t.uuid('task_id').notNullable().references('task_status.task_id').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.text('status').notNullable();
    t.smallint('percent').notNullable();
    t.text('message').notNullable();
    t.jsonb('error'); // {code, message} on FAILED / CANCELLED
    // clock_timestamp(), not now(): the estimate of the time remaining divides by it.
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.raw('clock_timestamp()'));
    t.primary(['task_id', 'seq']);
  });

  // Tasks that exist already start their history with their current state.
  await knex.raw(`update task_status set event_seq = 1`);
  await knex.raw(`
    insert into task_events (task_id, seq, status, percent, message, error, created_at)
    select task_id, 1, status, progress_percent, progress_message, error, updated_at from task_status`);

  await knex.raw(`
    create function task_events_number() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        new.event_seq := 1;
      elsif new.status is distinct from old.status
         or new.progress_percent is distinct from old.progress_percent
         or new.progress_message is distinct from old.progress_message then
        new.event_seq := old.event_seq + 1;
      else
        new.event_seq := old.event_seq; -- only this trigger moves the number
      end if;
      return new;
    end $$`);
  await knex.raw(`
    create function task_events_append() returns trigger language plpgsql as $$
    begin
      insert into task_events (task_id, seq, status, percent, message, error)
        values (new.task_id, new.event_seq, new.status, new.progress_percent, new.progress_message, new.error);
      perform pg_notify('task_events', new.task_id::text);
      return null;
    end $$`);
  await knex.raw(`
    create trigger task_status_number_event before insert or update on task_status
      for each row execute function task_events_number()`);
  // Two AFTER triggers, because a WHEN clause may not read OLD on INSERT.
  await knex.raw(`
    create trigger task_status_append_event_insert after insert on task_status
      for each row execute function task_events_append()`);
  await knex.raw(`
    create trigger task_status_append_event_update after update on task_status
      for each row when (new.event_seq <> old.event_seq) execute function task_events_append()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists task_status_append_event_update on task_status');
  await knex.raw('drop trigger if exists task_status_append_event_insert on task_status');
  await knex.raw('drop trigger if exists task_status_number_event on task_status');
  await knex.raw('drop function if exists task_events_append()');
  await knex.raw('drop function if exists task_events_number()');
  await knex.schema.dropTableIfExists('task_events');
  await knex.schema.alterTable('task_status', (t) => t.dropColumn('event_seq'));
}
