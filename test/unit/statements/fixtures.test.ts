/**
 * Every bank and variation, end to end: a generated PDF goes through extractPages and
 * parseStatement, and every row must come back exactly as the generator wrote it, with
 * its page and line; the statement must reconcile with no warnings and no skipped rows.
 */
import assert from 'node:assert/strict';
import { chunkHasOcrPages, parseChunks } from '../../../activities/parse-pdf';
import { extractPages, parseStatement, parseStatementFrom } from '../../../domain/statements';
import { FIXTURES, generateStatement } from '../../fixtures/statements';
import type { Producer } from '../../fixtures/statements/pdf-canvas';
import { comparable, extracted } from './helpers';

describe('statements: fixtures for every bank and variation', function () {
  this.timeout(120_000);

  for (const spec of FIXTURES) {
    describe(spec.style.name, () => {
      it('reads every row exactly, with its page and line', async () => {
        const { g, pages } = await extracted(spec);
        const parsed = parseStatement(pages);
        assert.equal(parsed.bankSource, g.truth.bankSource);
        assert.equal(parsed.transactions.length, g.truth.transactions.length);
        parsed.transactions.forEach((t, i) => assert.deepStrictEqual(comparable(t), g.truth.transactions[i], `row ${i + 1}`));
        assert.deepEqual(
          parsed.transactions.map((t) => t.seq),
          parsed.transactions.map((_, i) => i + 1),
        );
        for (const t of parsed.transactions) assert.ok(t.rawText.length > 0 && !t.rawText.includes('  '), t.rawText);
      });

      it('reads the account number its header prints', async () => {
        const { pages } = await extracted(spec);
        const printed = spec.style.accountLines(spec.start, spec.end).find((l) => /account|rekening/i.test(l) && /\d/.test(l));
        assert.ok(printed, 'every style prints an account line');
        // Descriptions below the table name other accounts ("Transfer from savings account …"): never those.
        // Fewer than 8 digits is no South African account number: none is read then.
        const digits = printed.replace(/\D/g, '');
        assert.equal(parseStatement(pages).accountNumber, digits.length >= 8 ? digits : null);
      });

      it('reads the period, the opening and closing balance, and reconciles', async () => {
        const { g, pages } = await extracted(spec);
        const parsed = parseStatement(pages);
        assert.equal(parsed.periodStart, g.truth.periodStart);
        assert.equal(parsed.periodEnd, g.truth.periodEnd);
        assert.equal(parsed.openingBalanceCents, g.truth.openingBalanceCents);
        assert.equal(parsed.closingBalanceCents, g.truth.closingBalanceCents);
        const expectedWarnings = spec.style.name === 'generic-unknown-labels' ? ['COLUMNS_INFERRED'] : [];
        assert.deepEqual(parsed.warnings.map((w) => w.code), expectedWarnings);
        assert.deepEqual(parsed.skippedRows, []);
        assert.equal(parsed.reconciled, true);
      });
    });
  }

  it('covers what the issue asks for: several pages, wraps, rows split across pages, December → January', async () => {
    const all = await Promise.all(FIXTURES.map((s) => extracted(s)));
    for (const { g } of all) assert.ok(g.pages >= 3, `${g.truth.bankSource}: ${g.pages} pages`);
    assert.ok(all.every(({ g }) => g.wrappedRows > 0));
    const split = FIXTURES.filter((_, i) => all[i].g.splitRows > 0).map((s) => s.style.name);
    assert.ok(split.includes('fnb') && split.includes('capitec') && split.includes('nedbank'), split.join());
    const crossYear = FIXTURES.filter((_, i) => {
      const years = new Set(all[i].g.truth.transactions.map((t) => t.date.slice(0, 4)));
      return years.size > 1;
    }).map((s) => s.style.name);
    for (const name of ['standard-bank-classic', 'fnb', 'fnb-afrikaans', 'generic-dmon-december-january']) assert.ok(crossYear.includes(name), name);
    const fnbRows = all[FIXTURES.findIndex((s) => s.style.name === 'fnb')].g.truth.transactions;
    assert.ok(fnbRows.some((t) => t.description === ''), 'FNB fee rows with no description');
    const capitec = all[FIXTURES.findIndex((s) => s.style.name === 'capitec')].g.truth.transactions;
    assert.ok(all[FIXTURES.findIndex((s) => s.style.name === 'capitec')].g.feesWithRows > 0, 'fees taken with a row, counted in it');
    assert.ok(capitec.length > 0);
    const described = all.flatMap(({ g }) => g.truth.transactions.map((t) => t.description));
    for (const inside of [/R\d+\.00$/, /\d\d\/\d\d\/\d{4}/, /Refund 100\.00/, /\d{6}\*\d{4}/]) {
      assert.ok(described.some((d) => inside.test(d)), `numbers inside descriptions: ${inside}`);
    }
    const banks = new Set(all.map(({ g }) => g.truth.bankSource));
    assert.deepEqual([...banks].sort(), ['ABSA', 'Capitec', 'FNB', 'Nedbank', 'Other bank', 'Standard Bank']);
  });

  it('gives the same result streamed (parseStatementFrom: two passes, a page at a time) as with every page at hand', async () => {
    for (const spec of FIXTURES) {
      const { pages } = await extracted(spec);
      const json = JSON.stringify(pages);
      let passes = 0;
      const streamed = parseStatementFrom(function* () {
        passes += 1;
        // Fresh objects each pass, as from the work files: nothing may rely on identity across passes.
        yield* JSON.parse(json) as typeof pages;
      });
      assert.equal(passes, 2, spec.style.name);
      assert.deepStrictEqual(streamed, parseStatement(pages), spec.style.name);
    }
  });

  it('parses the work files as the parse step does: streamed for text, whole for pages OCR read', async () => {
    const { g, pages } = await extracted(FIXTURES[0]);
    const chunks = [pages.slice(0, 2), pages.slice(2)].map((c) => Buffer.from(JSON.stringify(c)));
    assert.equal(chunks.some(chunkHasOcrPages), false);
    assert.deepStrictEqual(parseChunks(chunks), parseStatement(pages));
    assert.equal(parseChunks(chunks).transactions.length, g.truth.transactions.length);
    // A description that mentions "ocr": is escaped in JSON, and does not count.
    const texty = [{ ...pages[0], items: [...pages[0].items, { str: '"ocr": refund', x: 36, y: 800, width: 50, height: 8 }] }];
    assert.equal(chunkHasOcrPages(Buffer.from(JSON.stringify(texty))), false);
    const scanned = [{ ...pages[0], ocr: { confidence: 91.5, blank: false } }];
    assert.equal(chunkHasOcrPages(Buffer.from(JSON.stringify(scanned))), true);
  });

  it('refuses a page stream out of order', async () => {
    const { pages } = await extracted(FIXTURES[0]);
    assert.throws(() => parseStatementFrom(() => [pages[1], pages[0]]), /pages must come in order/);
    assert.throws(() => parseStatementFrom(() => [pages[0], pages[0]]), /pages must come in order/);
  });

  it('gives the same result when pages are extracted in chunks, shuffled and sent through JSON', async () => {
    const spec = FIXTURES.find((s) => s.style.name === 'fnb')!;
    const { g, pages } = await extracted(spec);
    const chunks = [await extractPages(g.pdf, 3, g.pages), await extractPages(g.pdf, 1, 2)];
    const rebuilt = JSON.parse(JSON.stringify(chunks.flat()));
    // Text order inside a page is drawing order, not reading order: shuffle it.
    for (const p of rebuilt) p.items.sort((a: { str: string }, b: { str: string }) => (a.str < b.str ? -1 : 1));
    assert.deepStrictEqual(parseStatement(rebuilt), parseStatement(pages));
  });
});

/**
 * PDF producers write the same page in different ways, and pdf.js hands the text over
 * accordingly: a string per cell, an item per word, an item per letter, letters with
 * kerning between them, the size set in the font operator or in the text matrix;
 * proportional or monospaced fonts (in Courier a space is as wide as a letter, and pdf.js
 * splits every word off). The rows must come out the same.
 */
describe('statements: the same statements from other PDF producers', function () {
  this.timeout(120_000);
  const producers: Array<[string, Producer]> = [
    ['one item per word', { split: 'words' }],
    ['one item per letter, in Times', { split: 'glyphs', font: 'times' }],
    ['kerned letters, sized by the text matrix (print-to-PDF style)', { split: 'kerned', sizeInMatrix: true }],
    ['Courier, a monospaced font', { font: 'courier' }],
    ['Courier, one item per letter', { font: 'courier', split: 'glyphs' }],
  ];
  // In these fixtures some columns are narrower than their Courier text (a label or a date
  // overlaps the next column), which no real fixed-width report prints: they are left
  // out of the Courier runs only.
  const tooNarrowForCourier = new Set(['absa', 'nedbank', 'generic-unsigned-amounts', 'generic-unknown-labels']);

  for (const [label, producer] of producers) {
    it(`reads every bank's rows exactly from ${label}`, async () => {
      const specs = FIXTURES.filter((s) => producer.font !== 'courier' || !tooNarrowForCourier.has(s.style.name));
      for (const spec of specs) {
        const g = await generateStatement({ ...spec, producer });
        const parsed = parseStatement(await extractPages(g.pdf, 1, g.pages));
        const name = `${spec.style.name} (${label})`;
        assert.equal(parsed.transactions.length, g.truth.transactions.length, name);
        parsed.transactions.forEach((t, i) => assert.deepStrictEqual(comparable(t), g.truth.transactions[i], `${name}: row ${i + 1}`));
        assert.equal(parsed.reconciled, true, name);
        assert.deepEqual(parsed.skippedRows, [], name);
      }
    });
  }
});
