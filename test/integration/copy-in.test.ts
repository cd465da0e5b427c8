/**
 * copyIn against a real Postgres: rows are read from their source one batch before each
 * write (so a caller can derive them while Postgres stores the batches before), and a
 * source that throws part-way abandons the COPY — nothing of it is kept, the caller gets
 * the source's own error, and the connection goes back to the pool usable.
 */
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { copyIn, type CopyValue } from '../../db/copy-in';
import { getTestDb } from '../support/postgres';

const COLUMNS = ['n', 'label'];

describe('copyIn (real Postgres)', function () {
  this.timeout(60_000);
  let db: Knex;

  before(async () => {
    db = await getTestDb();
    await db.raw('create table if not exists copy_in_probe (n integer primary key, label text not null)');
  });
  beforeEach(() => db.raw('truncate copy_in_probe'));
  after(() => db.raw('drop table if exists copy_in_probe'));

  it('reads the rows a batch at a time, each batch just before it is written', async () => {
    const events: string[] = [];
    function* rows(): Generator<CopyValue[]> {
      for (let n = 1; n <= 2_500; n++) {
        if (n % 1_000 === 1) events.push(`read from ${n}`);
        yield [n, `row ${n}`];
      }
    }
    await db.transaction((trx) => copyIn(trx, 'copy_in_probe', COLUMNS, rows(), { batch: 1_000, onBatch: () => events.push('written') }));
    // Materialising the source first would read all three stretches before the first write.
    assert.deepEqual(events, ['read from 1', 'written', 'read from 1001', 'written', 'read from 2001', 'written']);
    const [{ count, total }] = (await db('copy_in_probe').select(db.raw('count(*)::int as count, sum(n)::int as total'))) as { count: number; total: number }[];
    assert.deepEqual({ count, total }, { count: 2_500, total: (2_500 * 2_501) / 2 });
  });

  it('a source that throws part-way fails the copy whole with its own error, and the pool still works', async () => {
    const broken = new Error('row 1500 could not be derived');
    function* rows(): Generator<CopyValue[]> {
      for (let n = 1; n <= 3_000; n++) {
        if (n === 1_500) throw broken; // in the second batch: the first is already with Postgres
        yield [n, `row ${n}`];
      }
    }
    await assert.rejects(
      db.transaction((trx) => copyIn(trx, 'copy_in_probe', COLUMNS, rows(), { batch: 1_000 })),
      (err) => err === broken,
    );
    assert.equal(Number((await db('copy_in_probe').count({ n: '*' }))[0].n), 0, 'no row of the abandoned copy kept');
    // Every connection of the pool answers, the one that ran the copy among them.
    const answers = await Promise.all(Array.from({ length: 12 }, () => db.raw('select 1 as one')));
    assert.ok(answers.every((a) => a.rows[0].one === 1));
    await db.transaction((trx) => copyIn(trx, 'copy_in_probe', COLUMNS, [[1, 'again']], { batch: 1_000 }));
    assert.deepEqual(await db('copy_in_probe').select('n', 'label'), [{ n: 1, label: 'again' }]);
  });
});
