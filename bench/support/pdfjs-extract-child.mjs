// Child of bench/pdfjs-load.bench.ts: reads every page's text of one PDF with pdf.js loaded
// one way or the other, and prints {wallMs, cpuMs} as JSON. Plain JavaScript, like the
// pdf.js thread, so the loader of the parent (tsx) does not weigh on the figures.
//   node pdfjs-extract-child.mjs file.pdf plain|restored
import fs from 'node:fs';
import { loadPdfjs } from '../../domain/statements/pdf/pdfjs-load.mjs';

const [file, mode] = process.argv.slice(2);
const pdfjs = mode === 'restored' ? await loadPdfjs() : await import('pdfjs-dist/legacy/build/pdf.mjs');
const data = new Uint8Array(fs.readFileSync(file));
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const task = pdfjs.getDocument({ data, verbosity: 0, isEvalSupported: false, useSystemFonts: false, disableFontFace: true });
const doc = await task.promise;
let items = 0;
for (let n = 1; n <= doc.numPages; n++) {
  const page = await doc.getPage(n);
  items += (await page.getTextContent()).items.length;
  page.cleanup();
}
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ pages: doc.numPages, items, wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 }));
await task.destroy();
