/**
 * What loading pdf.js through loadPdfjs() (domain/statements/pdf/pdfjs-load.mjs) saves on
 * text extraction: a generated statement of N pages read in fresh processes, alternately
 * with pdf.js's legacy build as it loads ("plain": core-js's JavaScript Array.prototype.push
 * in place) and with the native built-ins put back ("restored"). CPU time is reported
 * beside wall time: on a shared machine it moves much less with the load.
 *
 *   npx tsx bench/pdfjs-load.bench.ts [pages=500] [runs=4]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { largeStatement } from '../test/fixtures/statements';

const CHILD = path.join(__dirname, 'support', 'pdfjs-extract-child.mjs');

async function main(): Promise<void> {
  const pages = Number(process.argv[2] ?? 500);
  const runs = Number(process.argv[3] ?? 4);
  const g = await largeStatement(pages);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'statementflow-pdfjs-bench-')), 'statement.pdf');
  fs.writeFileSync(file, g.pdf);
  const figures: Record<string, { wallMs: number; cpuMs: number }[]> = { plain: [], restored: [] };
  try {
    for (let i = 0; i < runs; i++) {
      for (const mode of ['plain', 'restored']) {
        const r = spawnSync(process.execPath, [CHILD, file, mode], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${mode} run failed: ${r.stderr}`);
        const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { pages: number; wallMs: number; cpuMs: number };
        figures[mode].push(out);
        console.log(`${mode.padEnd(8)} ${out.pages} pages: wall ${(out.wallMs / 1000).toFixed(2)} s (${Math.round(out.pages / (out.wallMs / 1000))} pages/s), cpu ${(out.cpuMs / 1000).toFixed(2)} s`);
      }
    }
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const cpu = (m: string) => median(figures[m].map((f) => f.cpuMs));
  const wall = (m: string) => median(figures[m].map((f) => f.wallMs));
  console.log(`median cpu: plain ${(cpu('plain') / 1000).toFixed(2)} s, restored ${(cpu('restored') / 1000).toFixed(2)} s = ${(100 * (1 - cpu('restored') / cpu('plain'))).toFixed(0)}% less`);
  console.log(`median wall: plain ${(wall('plain') / 1000).toFixed(2)} s, restored ${(wall('restored') / 1000).toFixed(2)} s`);
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
