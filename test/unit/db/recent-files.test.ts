/** The worker's recent files: a hit only with the same sha256, bounded in bytes by last use, emptied when idle. */
import assert from 'node:assert/strict';
import { RecentFiles } from '../../../db/recent-files';

const bytes = (n: number, fill = 1) => Buffer.alloc(n, fill);

describe('db: recent files kept in memory', () => {
  it('answers a read only for the sha256 it was kept with, and forgets a file that changed', () => {
    const recent = new RecentFiles(1000, 60_000);
    const data = bytes(10);
    recent.set('uploads/t/a.pdf', 'sha-1', data);
    assert.equal(recent.get('uploads/t/a.pdf', 'sha-1'), data);
    assert.equal(recent.get('uploads/t/a.pdf', 'sha-2'), undefined, 'written again elsewhere');
    assert.equal(recent.get('uploads/t/a.pdf', 'sha-1'), undefined, 'forgotten once it did not match');
    recent.set('uploads/t/b.pdf', null, data);
    assert.equal(recent.get('uploads/t/b.pdf', null), undefined, 'a file without a hash is never kept');
    assert.equal(recent.size, 0);
  });

  it('keeps at most its bytes, the least recently used going first, and no file over a quarter of them', () => {
    const recent = new RecentFiles(100, 60_000);
    recent.set('a', 'a', bytes(25));
    recent.set('b', 'b', bytes(25));
    recent.set('c', 'c', bytes(25));
    recent.get('a', 'a'); // used: b is now the oldest
    recent.set('d', 'd', bytes(25));
    recent.set('e', 'e', bytes(25));
    assert.equal(recent.size, 100);
    assert.equal(recent.get('b', 'b'), undefined);
    for (const k of ['a', 'c', 'd', 'e']) assert.ok(recent.get(k, k), k);
    recent.set('big', 'big', bytes(26));
    assert.equal(recent.get('big', 'big'), undefined);
    assert.equal(recent.size, 100);
  });

  it("forgets a task's work files by their prefix", () => {
    const recent = new RecentFiles(1000, 60_000);
    recent.set('work/t1/pages-1-50.json', 'x', bytes(10));
    recent.set('work/t1/pages-51-60.json', 'y', bytes(10));
    recent.set('work/t2/pages-1-50.json', 'z', bytes(10));
    recent.forgetPrefix('work/t1/');
    assert.equal(recent.size, 10);
    assert.ok(recent.get('work/t2/pages-1-50.json', 'z'));
  });

  it('drops what goes unused for its idle time', async () => {
    const recent = new RecentFiles(1000, 40);
    recent.set('a', 'a', bytes(10));
    while (recent.size > 0) await new Promise((r) => setTimeout(r, 10));
    assert.equal(recent.get('a', 'a'), undefined);
  });
});
