import type { Knex } from 'knex';

/**
 * What a bulk categorization writes, made cheaper:
 *
 *  - `transactions` pages are filled to half at insert (fillfactor 50), so that a rule run
 *    can write the new version of every row it changes into the same page: a HOT update,
 *    with no new entry in either index. On full pages each changed row moved to another
 *    page and was inserted into both indexes again, most of a run's time. A run changes
 *    some share u of a page's rows in one transaction, so all of them fit when the
 *    fillfactor is at most 1 / (1 + u): 50 % leaves room for nearly every row to change.
 *    The versions a run leaves behind are pruned from the page once it has committed, so
 *    later runs find the room again. A categorized table is about as large either way
 *    (on full pages the moved versions doubled the table and the indexes).
 *
 *    Existing rows are not rewritten: that would hold an exclusive lock on every session's
 *    transactions while the table is copied, at a start of the service. Statements parsed
 *    from now on get the room; an older session's first run after this moves each row it
 *    changes into a page filled to the new fillfactor, so its later runs are HOT too.
 *    Setting the option itself takes only a lock that lets reads and writes go on.
 *
 *  - The categories a run may have to put back are kept as one row per task holding two
 *    arrays (`category_snapshots`), instead of one row per categorized transaction in
 *    `category_undo`, which cost as long as the run itself on a categorized session. The
 *    snapshot row is also the proof that the copy was taken (the role of
 *    `category_undo_sets`): a restore without one changes nothing. Undo sets recorded
 *    before this migration (tasks in flight) are carried over, so they can still be
 *    restored; `category_undo` and `category_undo_sets` are left empty.
 */
const FILLFACTOR = 50;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table transactions set (fillfactor = ${FILLFACTOR})`);

  await knex.schema.createTable('category_snapshots', (t) => {
    t.uuid('task_id').primary();
    t.uuid('session_id').notNullable().references('sessions.id').onDelete('CASCADE');
    // The seqs of the session's categorized rows and their categories, pairwise; rows not
    // listed had no category.
    t.specificType('seqs', 'integer[]').notNullable();
    t.specificType('categories', 'text[]').notNullable();
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.raw(`
    insert into category_snapshots (task_id, session_id, seqs, categories, recorded_at)
    select s.task_id, s.session_id,
           coalesce(array_agg(u.seq order by u.seq) filter (where u.old_category is not null), '{}'),
           coalesce(array_agg(u.old_category order by u.seq) filter (where u.old_category is not null), '{}'),
           s.recorded_at
      from category_undo_sets s left join category_undo u on u.task_id = s.task_id
     group by s.task_id, s.session_id, s.recorded_at`);
  await knex.raw('delete from category_undo u using category_undo_sets s where u.task_id = s.task_id');
  await knex.raw('delete from category_undo_sets');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    insert into category_undo_sets (task_id, session_id, recorded_at)
    select task_id, session_id, recorded_at from category_snapshots`);
  await knex.raw(`
    insert into category_undo (task_id, session_id, seq, old_category)
    select c.task_id, c.session_id, u.seq, u.category
      from category_snapshots c, unnest(c.seqs, c.categories) as u(seq, category)`);
  await knex.schema.dropTable('category_snapshots');
  await knex.raw('alter table transactions reset (fillfactor)');
}
