/**
 * A long statement (120 pages) is written, extracted and parsed exactly. How fast is
 * measured in bench/parse-statement.bench.ts, not here: a busy machine must not fail a
 * test of what the parser reads.
 */
import assert from 'node:assert/strict';
import { extractPages, parseStatement } from '../../../domain/statements';
import { largeStatement } from '../../fixtures/statements';
import { comparable } from './helpers';

describe('statements: a long statement', function () {
  this.timeout(180_000);

  it('is extracted and parsed with every row exact over 120 pages', async () => {
    const g = await largeStatement(120);
    const pages = await extractPages(g.pdf, 1, g.pages);
    assert.equal(pages.length, g.pages);
    const parsed = parseStatement(pages);
    assert.deepStrictEqual(parsed.transactions.map(comparable), g.truth.transactions);
    assert.equal(parsed.reconciled, true);
  });
});
