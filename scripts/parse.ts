/**
 * `npm run parse -- statement.pdf [--json | --csv] [--no-ocr] [--password <password>]`: reads a local statement the
 * way the parse workflow does (the same extraction, OCR for scanned pages, parser and
 * checks), with no servers. Prints what a user needs to decide whether to trust it: the
 * bank, the period, the rows, the balances, whether it reconciles, and every warning and
 * skipped row with its page and line. `--json` / `--csv` print the transactions instead.
 * `--password` opens a statement locked with a user password (STATEMENT_PASSWORD in the
 * environment does the same without putting it in the shell's history).
 *
 * Exit codes: 0 read and reconciled, 1 read but not proven (warnings), 2 refused
 * (not a statement, unreadable, locked) or bad usage.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TaskInputError } from '../contract/errors';
import { loadConfig, onConfigError } from '../platform/config';
import { readStatementFile, type ReadStatement } from '../activities/parse-pdf';
import { releasePdfThreadIfIdle, type ParsedStatement } from '../domain/statements';
import { formatCents } from '../domain/statements/grammar/amount';
import { csvRecord, textField } from '../domain/reports/csv/escape';

const USAGE = 'usage: npm run parse -- <statement.pdf> [--json | --csv] [--no-ocr] [--password <password>]\n';

interface Options {
  file: string;
  output: 'summary' | 'json' | 'csv';
  ocr: boolean;
  password?: string;
}

function options(argv: string[]): Options | null {
  let file: string | null = null;
  let output: Options['output'] = 'summary';
  let ocr = true;
  let password = process.env.STATEMENT_PASSWORD || undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--password') {
      if (i + 1 >= argv.length) return null;
      password = argv[++i];
    } else if (a.startsWith('--password=')) password = a.slice('--password='.length);
    else if (a === '--json') output = 'json';
    else if (a === '--csv') output = 'csv';
    else if (a === '--no-ocr') ocr = false;
    else if (a === '--help' || a === '-h') return null;
    else if (a.startsWith('-') || file !== null) return null;
    else file = a;
  }
  return file ? { file, output, ocr, password } : null;
}

function money(cents: number | null): string {
  return cents === null ? '-' : formatCents(cents);
}

function summary(file: string, r: ReadStatement): string {
  const p = r.parsed;
  const sum = p.transactions.reduce((s, t) => s + t.amountCents, 0);
  const credits = p.transactions.filter((t) => t.amountCents > 0);
  const debits = p.transactions.filter((t) => t.amountCents < 0);
  const out = [
    `file        ${path.basename(file)}`,
    `pages       ${r.pageCount}${r.ocrPages ? ` (${r.ocrPages} read by OCR)` : ''}`,
    `bank        ${p.bankSource}`,
    `period      ${p.periodStart ?? '?'} to ${p.periodEnd ?? '?'}`,
    `rows        ${p.transactions.length} (${credits.length} credits ${money(credits.reduce((s, t) => s + t.amountCents, 0))}, ${debits.length} debits ${money(debits.reduce((s, t) => s + t.amountCents, 0))})`,
    `opening     ${money(p.openingBalanceCents)}`,
    `closing     ${money(p.closingBalanceCents)}`,
    `sum         ${money(sum)}`,
    `reconciled  ${p.reconciled ? 'yes' : 'NO'}`,
  ];
  if (p.warnings.length > 0) {
    out.push(`warnings    ${p.warnings.length}`);
    for (const w of p.warnings) out.push(`  page ${w.page}, line ${w.line}  ${w.code}  ${w.message}`);
  }
  if (p.skippedRows.length > 0) {
    out.push(`skipped     ${p.skippedRows.length}`);
    for (const s of p.skippedRows) out.push(`  page ${s.page}, line ${s.line}  ${s.reason}`);
  }
  return out.join('\n') + '\n';
}

function csv(p: ParsedStatement): string {
  const cents = (c: number) => (c / 100).toFixed(2);
  return (
    csvRecord(['seq', 'date', 'description', 'amount', 'balance', 'page', 'line']) +
    p.transactions
      .map((t) => csvRecord([String(t.seq), t.date, textField(t.description), cents(t.amountCents), t.balanceCents === null ? '' : cents(t.balanceCents), String(t.page), String(t.line)]))
      .join('')
  );
}

async function main(): Promise<number> {
  const opts = options(process.argv.slice(2));
  if (!opts) {
    process.stderr.write(USAGE);
    return 2;
  }
  let data: Buffer;
  try {
    data = await readFile(opts.file);
  } catch (err) {
    process.stderr.write(`parse: cannot read ${opts.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return 2;
  }
  try {
    const config = onConfigError(loadConfig, (line) => {
      process.stderr.write(`${line}\n`);
      process.exit(1);
    });
    const onOcrPage = (done: number, of: number) => process.stderr.write(`\rOCR: page ${done} of ${of}${done === of ? '\n' : ''}`);
    const r = await readStatementFile(new Uint8Array(data), { maxPages: config.pdf.maxPages, ocr: opts.ocr && config.ocr.enabled ? config.ocr : null, onOcrPage, password: opts.password });
    if (opts.output === 'json') process.stdout.write(JSON.stringify(r.parsed, null, 2) + '\n');
    else if (opts.output === 'csv') process.stdout.write(csv(r.parsed));
    else process.stdout.write(summary(opts.file, r));
    return r.parsed.reconciled ? 0 : 1;
  } catch (err) {
    if (err instanceof TaskInputError) {
      process.stderr.write(`parse: ${err.code}: ${err.message}\n`);
      return 2;
    }
    throw err;
  } finally {
    await releasePdfThreadIfIdle();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`parse: ${(err as Error).stack ?? err}\n`);
    process.exit(3);
  },
);
