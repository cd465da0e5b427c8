/**
 * Structural twins of real statement layouts (test/fixtures/statements/twins): generated
 * PDFs that reproduce the geometry and text-item splitting measured on real FNB (English
 * and Afrikaans), Capitec, Standard Bank and ABSA statements, with invented content. Each
 * goes through extractPages and parseStatement and must come back exactly as generated.
 */
import assert from 'node:assert/strict';
import { extractPages, parseStatement, type ParsedStatement } from '../../../domain/statements';
import { TWINS, type Twin, type TwinResult } from '../../fixtures/statements/twins';

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

const cache = new Map<Twin, Promise<{ g: TwinResult; parsed: ParsedStatement }>>();
function parsedTwin(t: Twin) {
  let p = cache.get(t);
  if (!p) {
    p = t.build().then(async (g) => ({ g, parsed: parseStatement(await extractPages(g.pdf, 1, g.pages)) }));
    cache.set(t, p);
  }
  return p;
}

describe('statements: structural twins of real layouts', function () {
  this.timeout(120_000);

  for (const twin of TWINS) {
    describe(twin.name, () => {
      it('reads every transaction: date, amount, balance and description, in order', async () => {
        const { g, parsed } = await parsedTwin(twin);
        assert.equal(parsed.bankSource, g.truth.bankSource);
        const got = parsed.transactions.map((t) => ({ date: t.date, description: norm(t.description), amountCents: t.amountCents, balanceCents: t.balanceCents }));
        const want = g.truth.transactions.map((t) => ({ ...t, description: norm(t.description) }));
        const first = want.findIndex((w, i) => JSON.stringify(w) !== JSON.stringify(got[i]));
        if (first >= 0) {
          assert.deepStrictEqual(got[first], want[first], `first differing row: ${first + 1} of ${want.length} (parsed ${got.length})`);
        }
        assert.equal(got.length, want.length, 'transaction count');
      });

      it('reads the opening and closing balance, reconciles, and skips nothing', async () => {
        const { g, parsed } = await parsedTwin(twin);
        assert.equal(parsed.openingBalanceCents, g.truth.openingBalanceCents, 'opening balance');
        assert.equal(parsed.closingBalanceCents, g.truth.closingBalanceCents, 'closing balance');
        assert.deepEqual(parsed.skippedRows, [], 'skipped rows');
        assert.equal(parsed.reconciled, true, `reconciled (warnings: ${parsed.warnings.map((w) => w.code).join(', ') || 'none'})`);
      });

      it('leaves out what the bank prints but does not count', async () => {
        const { g, parsed } = await parsedTwin(twin);
        for (const m of g.notTransactions) {
          const hit = parsed.transactions.find(
            (t) => t.date === m.date && t.amountCents === m.amountCents && t.balanceCents === m.balanceCents && norm(t.description) === norm(m.description),
          );
          assert.equal(hit, undefined, `not a transaction: ${m.date} ${m.description} ${m.amountCents}`);
        }
      });
    });
  }

  it('covers every layout with at least two seeds, and the memo row', async () => {
    const layouts = new Map<string, number>();
    for (const t of TWINS) layouts.set(t.layout, (layouts.get(t.layout) ?? 0) + 1);
    for (const l of ['fnb-english', 'fnb-afrikaans', 'capitec', 'standard-bank-computer', 'absa-enquiry']) {
      assert.ok((layouts.get(l) ?? 0) >= 2, `${l}: ${layouts.get(l) ?? 0} twins`);
    }
    const memo = TWINS.filter((t) => t.name.includes('memo'));
    assert.ok(memo.length > 0);
    for (const t of memo) assert.equal((await parsedTwin(t)).g.notTransactions.length, 1, t.name);
  });
});
