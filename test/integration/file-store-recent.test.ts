/**
 * The worker's file store with recent files kept (real Postgres): a file it wrote or read
 * is read back without its chunks query, and never stale — a file written again or
 * deleted by another process (the API, another worker) is read as it is now.
 */
import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { FileStore } from '../../db/files';
import { RecentFiles } from '../../db/recent-files';
import { getTestDb, truncateAll } from '../support/postgres';

describe('file store: recent files kept in memory (real Postgres)', function () {
  this.timeout(60_000);
  let db: Knex;
  const chunkQueries: string[] = [];
  const onQuery = (q: { sql: string }) => {
    if (/stored_file_chunks/.test(q.sql) && /^select/i.test(q.sql)) chunkQueries.push(q.sql);
  };

  before(async () => {
    db = await getTestDb();
    db.on('query', onQuery);
  });
  after(() => {
    db.removeListener('query', onQuery);
  });
  beforeEach(async () => {
    await truncateAll(db);
    chunkQueries.length = 0;
  });

  const meta = (fileKey: string) => ({ fileKey, userId: 'u1', kind: 'work' as const, filename: 'f.json', contentType: 'application/json' });

  it('reads a file it wrote, and then one it read, without reading the chunks again', async () => {
    const worker = new FileStore(db, 1024, new RecentFiles());
    const other = new FileStore(db, 1024);
    const written = Buffer.from('x'.repeat(5000));
    await worker.put(meta('work/t1/pages-1-10.json'), written);
    assert.deepEqual(await worker.read('work/t1/pages-1-10.json'), written);
    assert.equal(chunkQueries.length, 0, 'its own write is kept');

    await other.put(meta('uploads/t1/a.pdf'), Buffer.from('%PDF-1.7 upload'));
    assert.deepEqual(await worker.read('uploads/t1/a.pdf'), Buffer.from('%PDF-1.7 upload'));
    assert.equal(chunkQueries.length, 1);
    await worker.read('uploads/t1/a.pdf');
    assert.equal(chunkQueries.length, 1, 'the second read is kept');
  });

  it('reads a file written again or deleted elsewhere as it is now', async () => {
    const worker = new FileStore(db, 1024, new RecentFiles());
    const other = new FileStore(db, 1024);
    await worker.put(meta('work/t2/pages-1-10.json'), Buffer.from('first'));
    await other.put(meta('work/t2/pages-1-10.json'), Buffer.from('second'));
    assert.deepEqual(await worker.read('work/t2/pages-1-10.json'), Buffer.from('second'));
    await other.deleteWorkFiles('t2');
    assert.equal(await worker.read('work/t2/pages-1-10.json'), null);
  });
});
