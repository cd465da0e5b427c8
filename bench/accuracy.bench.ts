/**
 * The parser on real statements: every PDF in a folder read the way `npm run parse`
 * reads it (the parse workflow's steps, OCR included), one after another, and compared
 * with what each must give:
 *
 *   npx tsx bench/accuracy.bench.ts <folder of PDFs> [expectations.json]
 *
 * The expectations file maps file names to { statement, bank, count, opening, closing }
 * (or, for scans, ocr_reference: { count, opening, closing }); see docs/accuracy.md.
 * Prints one Markdown table row per file with aggregates only (row counts, breaks,
 * seconds): real statements hold people's data, and nothing of a row is printed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readStatementFile } from '../activities/parse-pdf';
import { releasePdfThreadIfIdle } from '../domain/statements';
import { loadConfig } from '../platform/config';

interface Expected {
  statement: boolean | null;
  bank: string | null;
  count: number | null;
  opening: number | null;
  closing: number | null;
  ocr_reference?: { count: number; opening: number; closing: number };
}

/** Warnings that say a row or the totals did not add up. */
const BREAKS = new Set(['BALANCE_MISMATCH', 'BROUGHT_FORWARD_MISMATCH', 'CARRIED_FORWARD_MISMATCH', 'CLOSING_MISMATCH', 'OPENING_CLOSING_MISMATCH', 'TOTAL_MISMATCH', 'COUNT_MISMATCH', 'OCR_UNPROVEN']);

const cents = (rand: number | null | undefined) => (rand === null || rand === undefined ? null : Math.round(rand * 100));

async function main(): Promise<void> {
  const [folder, expectationsFile] = process.argv.slice(2);
  if (!folder) {
    console.error('usage: npx tsx bench/accuracy.bench.ts <folder of PDFs> [expectations.json]');
    process.exit(2);
  }
  const expectations: Record<string, Expected> = expectationsFile ? JSON.parse(readFileSync(expectationsFile, 'utf8')) : {};
  const config = loadConfig(process.env);
  const files = readdirSync(folder).filter((f) => /\.pdf$/i.test(f)).sort();
  console.log('| file | bank | rows expected | rows read | rows skipped | chain breaks | opening, closing | reconciled | seconds | verdict |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  let right = 0;
  for (const f of files) {
    const e = expectations[f];
    const want = e?.count ?? e?.ocr_reference?.count ?? null;
    const started = process.hrtime.bigint();
    let cells: (string | number)[];
    let ok: boolean;
    try {
      const r = await readStatementFile(new Uint8Array(readFileSync(path.join(folder, f))), { maxPages: config.pdf.maxPages, ocr: config.ocr });
      const p = r.parsed;
      const breaks = p.warnings.filter((w) => BREAKS.has(w.code)).length;
      const balancesRight =
        !e || (cents(e.opening ?? e.ocr_reference?.opening) === p.openingBalanceCents && cents(e.closing ?? e.ocr_reference?.closing) === p.closingBalanceCents);
      ok = e?.statement !== false && (want === null || want === p.transactions.length) && balancesRight && p.reconciled && (!e?.bank || e.bank === p.bankSource);
      cells = [p.bankSource + (r.ocrPages ? ' (OCR)' : ''), want ?? '?', p.transactions.length, p.skippedRows.length, breaks, balancesRight ? 'right' : 'WRONG', p.reconciled ? 'yes' : 'no'];
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as Error).message;
      ok = e?.statement === false && code === 'NOT_A_STATEMENT';
      cells = [`refused: ${code}`, e?.statement === false ? 'refuse' : (want ?? '?'), '-', '-', '-', '-', '-'];
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (ok) right++;
    console.log(`| ${f} | ${cells.join(' | ')} | ${seconds.toFixed(2)} | ${ok ? 'right' : 'wrong'} |`);
  }
  console.log(`\n${right} of ${files.length} right`);
  await releasePdfThreadIfIdle();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
