/**
 * Speed, loosely: a long statement must be generated, extracted and parsed in time that
 * grows with its pages (the 500-page benchmark lives elsewhere; see the report numbers).
 * The bounds are generous so a busy CI machine does not fail them.
 */
import assert from 'node:assert/strict';
import { extractPages, parseStatement } from '../../../domain/statements';
import { largeStatement } from '../../fixtures/statements';
import { comparable } from './helpers';

describe('statements: a long statement', function () {
  this.timeout(180_000);

  it('is written, extracted and parsed quickly, every row exact', async () => {
    let t = Date.now();
    const g = await largeStatement(120);
    const generated = Date.now() - t;
    t = Date.now();
    const pages = await extractPages(g.pdf, 1, g.pages);
    const extracted = Date.now() - t;
    t = Date.now();
    const parsed = parseStatement(pages);
    const parsedMs = Date.now() - t;
    console.log(`      ${g.pages} pages, ${parsed.transactions.length} rows: generated ${generated} ms, extracted ${extracted} ms (${Math.round(g.pages / (extracted / 1000))} pages/s), parsed ${parsedMs} ms`);
    assert.deepStrictEqual(parsed.transactions.map(comparable), g.truth.transactions);
    assert.equal(parsed.reconciled, true);
    assert.ok(generated < 20_000, `generated in ${generated} ms`);
    assert.ok(g.pages / (extracted / 1000) > 20, `extracted at ${g.pages / (extracted / 1000)} pages/s`);
    assert.ok(parsedMs < 5_000, `parsed in ${parsedMs} ms`);
  });
});
