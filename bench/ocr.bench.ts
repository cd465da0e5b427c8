/**
 * OCR throughput: a 20-page FNB statement (about 55 rows a page) scanned at 200 DPI with
 * the test fixtures' scanner (tilt, blur, noise, specks, JPEG), then read the way the
 * worker reads it (createOcrPages: render each page at its scan resolution, Tesseract via
 * tesseract.js, map to items) and parsed with the chain-proven repair. Prints pages per
 * second, the worker process's peak RSS (worker threads included: they share the
 * process), and how many rows came back right.
 *
 * Run: `npx tsx bench/ocr.bench.ts [pages] [concurrency]` (defaults 20 and 1). With
 * concurrency N, N statements of that size are read at once through one pool of N
 * engines, as N parallel activities on one worker would be.
 *
 * The scan is made in a child process and handed over as a file, so the RSS measured here
 * is a worker's: a process that has done nothing but load the code before reading.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extractPages } from '../domain/statements';
import { createOcrPages, OcrPool } from '../domain/ocr';
import { parseWithOcr } from '../domain/statements';
import type { TruthRow } from '../test/fixtures/statements';

type Truth = Array<Pick<TruthRow, 'date' | 'amountCents' | 'balanceCents'>>;

/** Child mode: writes the scan and its true rows, then exits. */
async function prepare(pages: number, pdfPath: string, truthPath: string): Promise<void> {
  const { largeStatement } = await import('../test/fixtures/statements');
  const { scanPdf } = await import('../test/fixtures/ocr/scan');
  const g = await largeStatement(pages, 11);
  const t0 = Date.now();
  const scan = await scanPdf(g.pdf, { dpi: 200, seed: 7, noise: 8, specks: 25 });
  fs.writeFileSync(pdfPath, scan);
  fs.writeFileSync(truthPath, JSON.stringify(g.truth.transactions.map(({ date, amountCents, balanceCents }) => ({ date, amountCents, balanceCents }))));
  console.log(`scan: ${g.pages} pages, ${g.truth.transactions.length} rows, ${(scan.byteLength / 1e6).toFixed(1)} MB, made in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--prepare') return prepare(Number(process.argv[3]), process.argv[4], process.argv[5]);
  const pages = Number(process.argv[2] ?? 20);
  const concurrency = Number(process.argv[3] ?? 1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'statementflow-ocr-bench-'));
  const pdfPath = path.join(dir, 'scan.pdf');
  const truthPath = path.join(dir, 'truth.json');
  const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--prepare', String(pages), pdfPath, truthPath], { stdio: 'inherit' });
  if (child.status !== 0) throw new Error(`making the scan failed (exit ${child.status})`);
  const scan = new Uint8Array(fs.readFileSync(pdfPath));
  const truthRows = JSON.parse(fs.readFileSync(truthPath, 'utf8')) as Truth;
  fs.rmSync(dir, { recursive: true, force: true });
  const textless = (await extractPages(scan, 1, Number.MAX_SAFE_INTEGER)).filter((p) => !p.hasText).map((p) => p.page);

  const baseRss = process.memoryUsage().rss;
  let peak = baseRss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  const pool = new OcrPool({ concurrency });
  const ocr = createOcrPages({ pool, dpi: 'scan' });
  const t1 = Date.now();
  const results = await Promise.all(Array.from({ length: concurrency }, () => ocr(scan, textless, () => undefined)));
  const seconds = (Date.now() - t1) / 1000;
  clearInterval(sampler);
  await pool.close();

  const t2 = Date.now();
  const parsed = parseWithOcr(results[0]);
  const parseMs = Date.now() - t2;
  const key = (t: { date: string; amountCents: number; balanceCents: number | null }) => `${t.date} ${t.amountCents} ${t.balanceCents}`;
  const truth = new Map<string, number>();
  for (const t of truthRows) truth.set(key(t), (truth.get(key(t)) ?? 0) + 1);
  let right = 0;
  for (const t of parsed.transactions) {
    const n = truth.get(key(t)) ?? 0;
    if (n > 0) {
      right++;
      truth.set(key(t), n - 1);
    }
  }
  const total = textless.length * concurrency;
  console.log(`OCR: ${total} pages in ${seconds.toFixed(1)} s = ${(total / seconds).toFixed(2)} pages/s (${(seconds / textless.length).toFixed(2)} s a page per statement), concurrency ${concurrency}`);
  console.log(`RSS: ${(baseRss / 1e6).toFixed(0)} MB before, ${(peak / 1e6).toFixed(0)} MB peak`);
  console.log(
    `parse + repair: ${parseMs} ms; rows ${parsed.transactions.length} of ${truthRows.length}, ${right} exactly right, ` +
      `${parsed.warnings.filter((w) => w.code === 'OCR_CORRECTED').length} corrected, ${parsed.warnings.filter((w) => w.code === 'OCR_UNPROVEN').length} unproven, reconciled ${parsed.reconciled}`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
