/**
 * A long text statement parsed inside an activity hands the event loop back as it goes:
 * heartbeats and cancels get through however many pages it has. The pages come from the
 * 120-page fixture, repeated to 2,400: the parse does twenty times the work, and timers
 * must still fire during it.
 */
import assert from 'node:assert/strict';
import { pageSource, parseChunksInActivity, parseChunks } from '../../../activities/parse-pdf';
import { extractPages, parseStatementFrom, type PositionedPage } from '../../../domain/statements';
import { largeStatement } from '../../fixtures/statements';

describe('statements: a long parse inside an activity', function () {
  this.timeout(300_000);
  let chunks: Buffer[];

  before(async () => {
    const g = await largeStatement(120);
    const pages = await extractPages(g.pdf, 1, g.pages);
    const many: PositionedPage[] = [];
    for (let copy = 0; copy < 20; copy++) for (const p of pages) many.push({ ...p, page: copy * pages.length + p.page });
    // Work files as the extraction writes them: one per chunk of 100 pages.
    chunks = [];
    for (let i = 0; i < many.length; i += 100) chunks.push(Buffer.from(JSON.stringify(many.slice(i, i + 100))));
  });

  it('lets timers run and calls between while it parses 2,400 pages, and reads what the synchronous parse reads', async () => {
    let ticks = 0;
    let betweens = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      const parsed = await parseChunksInActivity(chunks, () => betweens++);
      assert.ok(betweens > 0, 'between (the heartbeat) was called during the parse');
      assert.ok(ticks > 0, 'the event loop ran timers during the parse');
      assert.deepEqual(parsed, parseChunks(chunks));
    } finally {
      clearInterval(timer);
    }
  });

  it("reads a short statement's work files once, its lines kept for the second pass, and a long one's twice, reading the same either way", () => {
    const parseCounting = (pages: ReturnType<typeof pageSource>) => {
      let reads = 0;
      const source = () => {
        reads++;
        return pages.source();
      };
      return { parsed: parseStatementFrom(source, { keepLines: pages.keepLines }), reads };
    };
    const short = pageSource(chunks.slice(0, 2));
    assert.equal(short.keepLines, true);
    const once = parseCounting(short);
    assert.equal(once.reads, 1, 'one read of the work files');
    const twice = parseCounting(pageSource(chunks.slice(0, 2), 0));
    assert.equal(twice.reads, 2, 'read again for the second pass');
    assert.deepEqual(twice.parsed, once.parsed);
    assert.equal(pageSource(chunks).keepLines, false, '2,400 pages: past the size whose lines are kept');
  });

  it('stops when between throws, as a cancelled activity does', async () => {
    const stop = new Error('cancelled');
    await assert.rejects(
      parseChunksInActivity(chunks, () => {
        throw stop;
      }),
      (e) => e === stop,
    );
  });
});
