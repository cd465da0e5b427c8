/**
 * Renders N generated transactions (default 1,000,000) to an xlsx or csv temp file and prints the
 * wall time, the file size and the peak RSS. Run: `npx tsx bench/report-render.bench.ts [rows] [xlsx|csv]`.
 * Peak RSS is the larger of sampled process.memoryUsage().rss and the kernel's VmHWM
 * (which also catches peaks between samples). Targets for xlsx: <= 15 s, < 400 MB.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderCsvReport, renderExcelReport, type RenderOptions, type ReportRow } from '../domain/reports';

const CATEGORIES = ['Fuel', 'Groceries', 'Utilities', 'Transport', 'Dining', 'Salary', 'Rent', 'Bank Fees', null];
const WORDS = ['POS PURCHASE', 'DEBIT ORDER', 'EFT', 'CARD', 'SHELL', 'WOOLWORTHS', 'CHECKERS', 'ESKOM', 'UBER'];

async function* generate(n: number): AsyncIterable<ReportRow> {
  let balance = 1_000_000;
  for (let i = 0; i < n; i++) {
    // Deterministic pseudo-random figures: the same file every run.
    const r = (i * 2654435761) % 4294967296;
    const amount = (r % 2 === 0 ? -1 : 1) * (r % 250_000);
    balance += amount;
    const d = new Date(Date.UTC(2020, 0, 1) + Math.floor(i / 500) * 86_400_000);
    yield {
      date: d.toISOString().slice(0, 10),
      description: `${WORDS[r % WORDS.length]} ${WORDS[(r >>> 8) % WORDS.length]} REF ${r.toString(36).toUpperCase()}`,
      category: CATEGORIES[(r >>> 4) % CATEGORIES.length],
      amountCents: amount,
      balanceCents: balance,
    };
  }
}

function vmHwmMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const format = process.argv[3] === 'csv' ? 'csv' : 'xlsx';
  const file = path.join(os.tmpdir(), `report-bench-${process.pid}.${format}`);
  const opts: RenderOptions = {
    includeVat: true,
    vat: { ratePercent: 15, vatCategories: ['Fuel', 'Groceries', 'Utilities', 'Transport', 'Dining'] },
    title: 'Benchmark statement',
    progressEvery: 50_000,
  };
  let peakSampled = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakSampled = Math.max(peakSampled, process.memoryUsage().rss);
  }, 100);
  const started = process.hrtime.bigint();
  try {
    const render = format === 'csv' ? renderCsvReport : renderExcelReport;
    const outcome = await render(generate(rows), fs.createWriteStream(file), opts);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    clearInterval(sampler);
    const size = fs.statSync(file).size;
    const peakMb = Math.max(peakSampled / 1024 / 1024, vmHwmMb());
    console.log(
      JSON.stringify(
        {
          format,
          rows: outcome.rowsWritten,
          seconds: Number(seconds.toFixed(1)),
          rowsPerSecond: Math.round(outcome.rowsWritten / seconds),
          fileMb: Number((size / 1024 / 1024).toFixed(1)),
          peakRssMb: Math.round(peakMb),
          sampledPeakRssMb: Math.round(peakSampled / 1024 / 1024),
          node: process.version,
          cpus: os.cpus().length,
        },
        null,
        2,
      ),
    );
  } finally {
    clearInterval(sampler);
    fs.rmSync(file, { force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
