/**
 * Chain-proven repair, without the OCR engine: a text fixture's pages are marked as OCR'd
 * and spoiled the way OCR spoils figures, then parsed with parseWithOcr. Every spoiled
 * figure the chain can prove is corrected (OCR_CORRECTED at its page and line) and the
 * rows come out exactly as the ground truth; a figure no reading can mend leaves the row
 * out, named OCR_UNPROVEN, and the statement unreconciled.
 */
import assert from 'node:assert/strict';
import { parseStatement, type PositionedPage } from '../../../domain/statements';
import { dateVariants, explainAmount } from '../../../domain/statements/ocr-repair/confusions';
import { parseWithOcr, parseWithOcrYielding } from '../../../domain/statements/ocr-repair/repair';
import { TaskErrorCodes } from '../../../contract/errors/task-errors';
import { FIXTURES, type GeneratedStatement } from '../../fixtures/statements';
import { comparable, extracted, rejects } from '../statements/helpers';

const fnb = FIXTURES.find((s) => s.style.name === 'fnb')!;
const capitec = FIXTURES.find((s) => s.style.name === 'capitec')!;

/** The pages as OCR would hand them over: no text layer, items read from the image. */
const asOcr = (pages: PositionedPage[]): PositionedPage[] =>
  pages.map((p) => ({ ...p, hasText: false, ocr: { confidence: 90, blank: false }, items: p.items.map((i) => ({ ...i })) }));

/** Replaces the item that reads `from` on the given page (the first whose text is exactly it). */
function spoil(pages: PositionedPage[], page: number, from: string, to: string): void {
  const p = pages.find((x) => x.page === page)!;
  const it = p.items.find((i) => i.str === from);
  assert.ok(it, `no item "${from}" on page ${page}`);
  it.str = to;
}

/** The truth row whose amount (or balance) prints as `text`, with its page and line. */
function rowOf(g: GeneratedStatement, pick: (t: GeneratedStatement['truth']['transactions'][number]) => boolean) {
  const t = g.truth.transactions.find(pick);
  assert.ok(t);
  return t;
}

describe('ocr: confusions', () => {
  it('explains a figure as a needed value only through known OCR confusions', () => {
    const first = (t: string, c: number) => explainAmount(t, c)[0]?.text ?? null;
    assert.equal(first('1,2O4.56', 120456), '1204.56');
    assert.equal(first('l,234.S6-', 123456), '1234.56-');
    assert.equal(first('84595', 84595), '845.95'); // lost decimal point
    assert.equal(first('845:95', 84595), '845.95');
    assert.equal(first("'529.91Cr", 52991), '529.91Cr'); // stray mark
    assert.equal(first('561.63', 55163), '551.63'); // 6 for 5
    assert.equal(first('21,902.79', 190279), '1902.79'); // a digit too many
    assert.equal(first('346,160.73Cr -', 34616073), '346160.73Cr');
    assert.deepEqual(explainAmount('3.836.311', 183611), []); // too far from it
    assert.deepEqual(explainAmount('561.63', 55263), []); // two digits off
    assert.deepEqual(explainAmount('12.00', 1300), []); // 2 → 3 is no look-alike
    assert.deepEqual(explainAmount('Interest', 1000), []);
    // The digits are right but the sign was lost: the other notations are offered.
    assert.deepEqual(explainAmount('50.00', 5000).map((r) => r.fix), ['confusion', 'sign', 'sign', 'sign', 'sign']);
  });

  it('proposes date readings without the specks and slips around them', () => {
    assert.ok(dateVariants('S17 Dec').includes('17 Dec'));
    assert.ok(dateVariants('01 Jan,').includes('01 Jan'));
    assert.ok(dateVariants('22/01J2024').includes('22/01/2024'));
    assert.ok(dateVariants('O1/12/2O23').includes('01/12/2023'));
    assert.ok(dateVariants('1203').includes('12 03'));
  });
});

describe('ocr: chain-proven repair', function () {
  this.timeout(60_000);

  it('gives parseStatement\'s own result for a document OCR did not touch', async () => {
    const { pages } = await extracted(fnb);
    assert.deepEqual(parseWithOcr(pages), parseStatement(pages));
  });

  it('reads clean OCR\'d pages exactly like the text layer, with no warnings', async () => {
    const { g, pages } = await extracted(fnb);
    const parsed = parseWithOcr(asOcr(pages));
    assert.equal(parsed.reconciled, true);
    assert.deepEqual(parsed.warnings, []);
    assert.deepEqual(parsed.transactions.map(comparable), g.truth.transactions);
  });

  it('corrects O/0, S/5, l/1, a lost decimal point and a stray mark where the chain proves them, and names each row', async () => {
    const { g, pages } = await extracted(capitec);
    const ocr = asOcr(pages);
    const t = g.truth.transactions;
    // Capitec prints money out as "-1 234.56" and balances with space thousands.
    const out = t.filter((r) => r.amountCents < -10_000 && r.balanceCents !== null && !r.description.startsWith('Fee'));
    const spoils: { at: (typeof t)[number]; from: string; to: string }[] = [];
    const money = (c: number) => {
      const abs = Math.abs(c);
      const whole = Math.trunc(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
      return `${c < 0 ? '-' : ''}${whole}.${String(abs % 100).padStart(2, '0')}`;
    };
    // Rows are taken at least three apart, each the next whose amount is printed once on its
    // page as the row's own amount (a row with a fee taken prints the amount before the fee).
    let next = 0;
    const pick = (i: number, make: (s: string) => string) => {
      for (let k = Math.max(i, next); k < out.length; k++) {
        const at = out[k];
        const from = money(at.amountCents);
        const page = ocr.find((p) => p.page === at.page)!;
        if (page.items.filter((x) => x.str === from).length !== 1) continue;
        spoils.push({ at, from, to: make(from) });
        next = k + 3;
        return;
      }
    };
    const swap = (s: string, digit: string, letter: string) => (s.includes(digit) ? s.replace(digit, letter) : null);
    pick(0, (s) => swap(s, '0', 'O') ?? swap(s, '1', 'l') ?? `${s}.`); // O for 0
    pick(3, (s) => swap(s, '5', 'S') ?? swap(s, '0', 'O') ?? `${s}.`); // S for 5
    pick(6, (s) => swap(s, '1', 'l') ?? swap(s, '5', 'S') ?? `${s}.`); // l for 1
    pick(9, (s) => s.replace('.', '')); // the decimal point lost
    pick(12, (s) => `'${s}`); // a speck glued in front
    assert.ok(spoils.length >= 5, 'enough distinct rows to spoil');
    for (const s of spoils) spoil(ocr, s.at.page, s.from, s.to);
    assert.ok(parseStatement(ocr).reconciled === false, 'spoiled, the plain parser cannot reconcile it');

    const parsed = parseWithOcr(ocr);
    const summary = () => JSON.stringify({ spoils: spoils.map((s) => [s.from, s.to]), warnings: parsed.warnings.map((w) => w.message), skipped: parsed.skippedRows });
    assert.equal(parsed.transactions.length, g.truth.transactions.length, summary());
    assert.deepEqual(parsed.transactions.map(comparable), g.truth.transactions, 'every row exactly as printed');
    assert.equal(parsed.reconciled, true);
    const corrected = parsed.warnings.filter((w) => w.code === 'OCR_CORRECTED');
    assert.deepEqual(
      corrected.map((w) => [w.page, w.line]),
      spoils.map((s) => [s.at.page, s.at.line]).sort((a, b) => a[0] - b[0] || a[1] - b[1]),
      'each corrected row named with its page and line',
    );
    for (const s of spoils) assert.ok(corrected.some((w) => w.message.includes(`"${s.to}"`)), `the message quotes what OCR read (${s.to})`);
    assert.deepEqual(parsed.warnings.filter((w) => w.code !== 'OCR_CORRECTED'), []);
  });

  it('restores a sign the scan lost (FNB\'s "Cr" on a credit) because the chain proves it', async () => {
    const { g, pages } = await extracted(fnb);
    const ocr = asOcr(pages);
    const at = rowOf(g, (t) => t.page === 2 && t.amountCents > 10_000);
    const abs = at.amountCents;
    const text = `${Math.trunc(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}Cr`;
    spoil(ocr, at.page, text, text.replace(/Cr$/, ''));
    const parsed = parseWithOcr(ocr);
    assert.deepEqual(parsed.transactions.map(comparable), g.truth.transactions);
    assert.equal(parsed.reconciled, true);
    assert.deepEqual(parsed.warnings.map((w) => [w.code, w.page, w.line]), [['OCR_CORRECTED', at.page, at.line]]);
    assert.match(parsed.warnings[0].message, /sign/);
  });

  it('corrects a balance OCR misread, which breaks the chain on two rows', async () => {
    const { g, pages } = await extracted(fnb);
    const ocr = asOcr(pages);
    const at = rowOf(g, (t) => t.page === 2 && (t.balanceCents ?? 0) > 100_000);
    const printed = ocr.find((p) => p.page === 2)!.items.find((i) => /Cr$/.test(i.str) && i.str.replace(/[^\d]/g, '') === String(at.balanceCents))!;
    const original = printed.str;
    printed.str = original.replace(/\d(?=\.)/, (d) => ({ '3': '8', '8': '3', '5': '6', '6': '5', '1': '7', '7': '1', '0': '8', '9': '8', '2': '7', '4': '1' })[d]!);
    const parsed = parseWithOcr(ocr);
    assert.deepEqual(parsed.transactions.map(comparable), g.truth.transactions);
    assert.equal(parsed.reconciled, true);
    assert.deepEqual(parsed.warnings.map((w) => [w.code, w.page, w.line]), [['OCR_CORRECTED', at.page, at.line]]);
  });

  it('leaves a figure no reading can mend out, names its row OCR_UNPROVEN, and does not reconcile', async () => {
    const { g, pages } = await extracted(fnb);
    const ocr = asOcr(pages);
    const at = rowOf(g, (t) => t.page === 1 && t.amountCents < -10_000 && t.description.length > 0);
    const abs = Math.abs(at.amountCents);
    const text = `${Math.trunc(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
    spoil(ocr, at.page, text, 'x7#q.?9'); // smudged beyond reading
    const parsed = parseWithOcr(ocr);
    assert.equal(parsed.reconciled, false);
    assert.equal(parsed.transactions.length, g.truth.transactions.length - 1);
    const named = parsed.warnings.filter((w) => w.code === 'OCR_UNPROVEN');
    assert.deepEqual(named.map((w) => [w.page, w.line]), [[at.page, at.line]], 'exactly the row it could not read');
    assert.match(named[0].message, /imply a movement of -R/);
    // Every row it did read is right.
    const truth = g.truth.transactions.filter((t) => t !== at);
    assert.deepEqual(parsed.transactions.map(comparable), truth);
  });

  it('skips blank scanned pages, and says so when OCR found nothing at all', async () => {
    const { g, pages } = await extracted(fnb);
    const ocr = asOcr(pages);
    const blank: PositionedPage = { page: pages.length + 1, width: 595, height: 842, items: [], hasText: false, ocr: { confidence: 0, blank: true } };
    const parsed = parseWithOcr([...ocr, blank]);
    assert.equal(parsed.reconciled, true);
    assert.equal(parsed.transactions.length, g.truth.transactions.length);
    assert.deepEqual(parsed.warnings.map((w) => [w.code, w.page]), [['OCR_BLANK_PAGE', blank.page]]);
    const err = await rejects(() => parseWithOcr([blank, { ...blank, page: 2 }]), TaskErrorCodes.PDF_NO_TEXT);
    assert.match(err.message, /scan/);
  });

  it('repairs the same when it hands the event loop back between trial parses, and stops when told to', async () => {
    const { g, pages } = await extracted(fnb);
    const ocr = asOcr(pages);
    // One row's amount spoiled the way OCR spoils it (a lost decimal point), so the repair has trial parses to run.
    const row = g.truth.transactions.find((t) => t.amountCents < -100_000 && t.page === 1)!;
    const printed = `${Math.trunc(-row.amountCents / 100).toLocaleString('en-US')}.${String(-row.amountCents % 100).padStart(2, '0')}`;
    spoil(ocr, 1, printed, printed.replace('.', ''));
    assert.equal(parseStatement(ocr).reconciled, false, 'spoiled, the plain parser cannot reconcile it');
    let turns = 0;
    const yielding = await parseWithOcrYielding(ocr, () => turns++, { sliceMs: 0 });
    assert.ok(turns > 0, 'the event loop got turns');
    assert.deepEqual(yielding, parseWithOcr(ocr));
    assert.equal(yielding.reconciled, true, 'and the repair mended it');
    const stop = new Error('cancelled');
    await assert.rejects(parseWithOcrYielding(ocr, () => { throw stop; }, { sliceMs: 0 }), (e) => e === stop);
  });
});
