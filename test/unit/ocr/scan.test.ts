/**
 * The real engine on generated scans: statements in three layouts (FNB: one amount column
 * with Cr markers, "15 Dec" dates; Capitec: money in / money out / fee / balance with
 * space thousands and "31/01/2024" dates; Standard Bank classic: "12 08" month-day dates
 * between the money columns, trailing minus) rendered to 200 DPI greyscale, tilted, blurred,
 * noised, specked, saved as JPEG and wrapped back into a PDF with no text layer. Rows are
 * compared one by one with the ground truth: every row read is exactly right, and any row
 * not read is named in the warnings. Also: a scanned invoice is refused, the pool keeps
 * to its concurrency, and a cancel stops a page in progress.
 */
import assert from 'node:assert/strict';
import { extractPages, type ParsedStatement, type PositionedPage } from '../../../domain/statements';
import { createOcrPages, OcrPool } from '../../../domain/ocr';
import { parseWithOcr } from '../../../domain/statements';
import { TaskErrorCodes } from '../../../contract/errors/task-errors';
import { FIXTURES, generateStatement, invoicePdf, type GeneratedStatement } from '../../fixtures/statements';
import { scanPdf } from '../../fixtures/ocr/scan';
import { rejects } from '../statements/helpers';

const spec = (name: string, count: number) => ({ ...FIXTURES.find((s) => s.style.name === name)!, count });

/** Levenshtein similarity 0..1. */
function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return 1 - d[b.length] / Math.max(a.length, b.length, 1);
}

/**
 * Row by row, aligned on (date, amount, balance): every row read that is not the
 * statement's row at that place is named by a warning at its own page and line (the chain
 * flags it), every row not read is named by a warning on its page, and the statement is
 * reconciled exactly when nothing was missed or left unproven.
 */
function compareRows(g: GeneratedStatement, parsed: ParsedStatement): { missing: number; unproven: number; descriptions: number } {
  const truth = g.truth.transactions;
  const rows = parsed.transactions;
  const key = (t: { date: string; amountCents: number; balanceCents: number | null }) => `${t.date} ${t.amountCents} ${t.balanceCents}`;
  // Longest common subsequence of the two row lists.
  const n = rows.length;
  const m = truth.length;
  const L = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i][j] = key(rows[i]) === key(truth[j]) ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const named = (page: number, line?: number) =>
    parsed.warnings.some((w) => w.page === page && (line === undefined || w.line === line) && ['OCR_UNPROVEN', 'BALANCE_MISMATCH'].includes(w.code));
  let unproven = 0;
  let missing = 0;
  let sim = 0;
  for (let i = 0, j = 0; i < n || j < m; ) {
    if (i < n && j < m && key(rows[i]) === key(truth[j])) {
      assert.equal(rows[i].page, truth[j].page, `page of ${key(rows[i])}`);
      sim += similarity(rows[i].description, truth[j].description);
      i++;
      j++;
    } else if (i < n && (j >= m || L[i + 1][j] >= L[i][j + 1])) {
      assert.ok(named(rows[i].page, rows[i].line), `row read as ${key(rows[i])} (page ${rows[i].page}, line ${rows[i].line}) is not the statement's and no warning names it`);
      unproven++;
      i++;
    } else {
      assert.ok(named(truth[j].page), `row ${key(truth[j])} on page ${truth[j].page} was not read and no warning names its page`);
      missing++;
      j++;
    }
  }
  assert.equal(parsed.reconciled, missing === 0 && unproven === 0 && !parsed.warnings.some((w) => w.code === 'OCR_UNPROVEN'));
  return { missing, unproven, descriptions: sim / Math.max(1, n - unproven) };
}

describe('ocr: generated scans through the engine', function () {
  this.timeout(120_000);
  let pool: OcrPool;
  before(() => {
    pool = new OcrPool({ concurrency: 1 });
  });
  after(() => pool.close());

  async function readScan(pdf: Uint8Array): Promise<{ pages: PositionedPage[]; done: number[] }> {
    const textless = (await extractPages(pdf, 1, 999)).filter((p) => !p.hasText).map((p) => p.page);
    const done: number[] = [];
    const pages = await createOcrPages({ pool, dpi: 'scan' })(pdf, textless, (n) => done.push(n));
    return { pages, done };
  }

  for (const [name, count, seed] of [['fnb', 80, 3], ['capitec', 70, 5], ['standard-bank-classic', 60, 7]] as const) {
    it(`reads a ${name} scan (200 DPI, tilted, noisy JPEG) row by row`, async () => {
      const g = await generateStatement(spec(name, count));
      const scan = await scanPdf(g.pdf, { dpi: 200, seed, noise: 8, specks: 25 });
      const layer = await extractPages(scan, 1, 999);
      assert.equal(layer.length, g.pages);
      assert.ok(layer.every((p) => !p.hasText && p.items.length === 0), 'the scan has no text layer');

      const { pages, done } = await readScan(scan);
      assert.deepEqual(done, layer.map((_, i) => i + 1), 'progress once per page');
      assert.ok(pages.every((p) => p.ocr && !p.ocr.blank && p.ocr.confidence > 70));
      const parsed = parseWithOcr(pages);
      assert.equal(parsed.bankSource, g.truth.bankSource);
      assert.deepEqual([parsed.periodStart, parsed.periodEnd], [g.truth.periodStart, g.truth.periodEnd]);
      const { missing, unproven, descriptions } = compareRows(g, parsed);
      assert.ok(missing + unproven <= Math.ceil(g.truth.transactions.length * 0.05), `${missing} rows not read, ${unproven} unproven`);
      assert.ok(descriptions > 0.95, `descriptions read with ${Math.round(descriptions * 100)} % similarity`);
      for (const w of parsed.warnings.filter((x) => x.code === 'OCR_CORRECTED')) assert.ok(w.page >= 1 && w.line >= 1);
    });
  }

  it('reads pages scanned upside down or sideways turned the right way up, and says so', async () => {
    const g = await generateStatement(spec('fnb', 120));
    assert.equal(g.pages, 3);
    const scan = await scanPdf(g.pdf, { dpi: 200, seed: 3, noise: 8, specks: 25, upsideDown: [2], sideways: [3] });
    const { pages } = await readScan(scan);
    assert.deepEqual(pages.map((p) => [p.page, p.ocr?.rotated ?? 0]), [[1, 0], [2, 180], [3, 90]]);
    assert.ok(pages.every((p) => p.ocr!.confidence > 70), 'every page read well');
    assert.ok(pages[2].height > pages[2].width, 'the sideways page is read upright, portrait');
    const parsed = parseWithOcr(pages);
    assert.deepEqual(parsed.warnings.filter((w) => w.code === 'OCR_PAGE_TURNED').map((w) => [w.page, w.message.includes(w.page === 2 ? 'upside down' : 'sideways')]), [[2, true], [3, true]]);
    const { missing, unproven } = compareRows(g, parsed);
    assert.ok(missing + unproven <= Math.ceil(g.truth.transactions.length * 0.05), `${missing} rows not read, ${unproven} unproven`);
  });

  it('refuses a scanned invoice that prints FNB banking details as NOT_A_STATEMENT', async () => {
    const scan = await scanPdf(await invoicePdf(), { dpi: 200, seed: 9 });
    const { pages } = await readScan(scan);
    assert.ok(pages[0].items.some((i) => /FNB|First National/.test(i.str)), 'OCR did read the bank details');
    const err = await rejects(() => parseWithOcr(pages), TaskErrorCodes.NOT_A_STATEMENT);
    assert.match(err.message, /does not look like a bank statement/);
  });

  it('keeps to its concurrency, and a cancel stops a page in progress', async () => {
    const g = await generateStatement(spec('fnb', 60));
    const scan = await scanPdf(g.pdf, { dpi: 200, seed: 4 });
    const one = new OcrPool({ concurrency: 1 });
    try {
      const controller = new AbortController();
      const stop = new Error('stop: the activity was cancelled');
      const ocr = createOcrPages({ pool: one, dpi: 'scan' });
      const first = ocr(scan, [1], () => undefined, controller.signal);
      const second = ocr(scan, [2], () => undefined, controller.signal);
      // The second waits for the first's engine: wait for that state, not for a time.
      while (one.queued === 0) await new Promise((r) => setTimeout(r, 20));
      assert.equal(one.queued, 1, 'one request waits: concurrency 1');
      controller.abort(stop); // an activity's signal carries its CancelledFailure as the reason
      // The page in progress is stopped (its engine terminated), not read to the end.
      await assert.rejects(first, (e) => e === stop);
      await assert.rejects(second, (e) => e === stop);
      // The pool still works after an engine was terminated mid-page.
      const again = await createOcrPages({ pool: one, dpi: 'scan' })(scan, [2], () => undefined);
      assert.ok(again[0].items.length > 20);
    } finally {
      await one.close();
    }
  });
});
