/**
 * Loading pdf.js for its thread: the legacy build's core-js replaces Array.prototype.push
 * and JSON.parse with slower JavaScript versions, and loadPdfjs() puts the natives back
 * after loading both halves of pdf.js, which must still read a statement. Each case runs
 * in a fresh worker thread, so the built-ins it inspects are untouched by the rest of the
 * suite (which loads pdf.js only in the pdf.js thread). loadPdfjs() also passes text chunks
 * between pdf.js's two halves without a structured clone, which must not change the text.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { FIXTURES, generateStatement } from '../../fixtures/statements';

const LOADER = pathToFileURL(path.resolve(__dirname, '../../../domain/statements/pdf/pdfjs-load.mjs')).href;
const PDFJS = 'pdfjs-dist/legacy/build/pdf.mjs';

/** Runs `body` (an async function's text, given `data`) in a fresh thread and returns what it returns. */
function inFreshThread(body: string, data: Uint8Array): Promise<Record<string, unknown>> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => { ${body} })().then((v) => parentPort.postMessage({ ok: true, v }), (e) => parentPort.postMessage({ ok: false, e: String(e) }));
  `;
  const worker = new Worker(source, { eval: true, workerData: { data, loader: LOADER, pdfjs: PDFJS } });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: { ok: boolean; v: Record<string, unknown>; e: string }) => {
      void worker.terminate();
      if (m.ok) resolve(m.v);
      else reject(new Error(m.e));
    });
    worker.once('error', reject);
  });
}

/** Reads every page's text in the thread with the pdf.js it loaded, and reports the built-ins' state. */
const READ_AND_REPORT = `
  const push = Array.prototype.push, parse = JSON.parse;
  const pdfjs = await LOAD();
  const task = pdfjs.getDocument({ data: workerData.data, verbosity: 0, isEvalSupported: false, useSystemFonts: false, disableFontFace: true });
  const doc = await task.promise;
  let text = '';
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    text += content.items.map((i) => i.str).join(' ') + '\\n';
  }
  await task.destroy();
  return { nativePush: Array.prototype.push === push, nativeParse: JSON.parse === parse, pages: doc.numPages, text };
`;

/**
 * Every page's items as the thread's pdf.js reads them, once with text chunks passed as
 * loadPdfjs() passes them and once with the native structuredClone put back (every message
 * cloned, as a real worker's port would), and whether a value that is not a text chunk is
 * still deeply copied.
 */
const READ_BOTH_WAYS = `
  const nativeClone = structuredClone;
  const pdfjs = await (await import(workerData.loader)).loadPdfjs();
  const shortcut = structuredClone;
  const read = async () => {
    const task = pdfjs.getDocument({ data: workerData.data.slice(), verbosity: 0, isEvalSupported: false, useSystemFonts: false, disableFontFace: true });
    const doc = await task.promise;
    const pages = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const content = await (await doc.getPage(n)).getTextContent();
      pages.push(content.items.map(({ str, transform, width, height, hasEOL }) => ({ str, transform, width, height, hasEOL })));
    }
    await task.destroy();
    return pages;
  };
  const passed = await read();
  globalThis.structuredClone = nativeClone;
  const cloned = await read();
  const nested = { stream: 4, chunk: { fnArray: [1, 2] } };
  const copy = shortcut(nested);
  return { passed, cloned, replaced: shortcut !== nativeClone, deep: copy.chunk !== nested.chunk && copy.chunk.fnArray !== nested.chunk.fnArray };
`;

describe('statements: loading pdf.js for its thread', function () {
  this.timeout(60_000);

  it('puts the native push and JSON.parse back, and the loaded pdf.js still reads every page', async () => {
    const fnb = FIXTURES.find((s) => s.style.name === 'fnb')!;
    const g = await generateStatement(fnb);
    const got = await inFreshThread(READ_AND_REPORT.replace('LOAD()', '(await import(workerData.loader)).loadPdfjs()'), new Uint8Array(g.pdf));
    assert.equal(got.nativePush, true);
    assert.equal(got.nativeParse, true);
    assert.equal(got.pages, g.pages);
    // Every generated row's description is in the text pdf.js read.
    for (const tx of g.truth.transactions.filter((t) => t.description)) assert.ok((got.text as string).includes(tx.description.split(' ')[0]), tx.description);
  });

  it('passes text chunks without a copy and reads the same items as with every message cloned', async () => {
    const fnb = FIXTURES.find((s) => s.style.name === 'fnb')!;
    const g = await generateStatement(fnb);
    const got = await inFreshThread(READ_BOTH_WAYS, new Uint8Array(g.pdf));
    assert.equal(got.replaced, true);
    const passed = got.passed as { str: string }[][];
    assert.equal(passed.length, g.pages);
    // pdf.js sends a page's text in chunks of ~10 items, reusing the object it sends: a page
    // of a statement is many chunks, each of which must arrive with its own items.
    assert.ok(passed.every((items) => items.length > 30), 'every page has many chunks of items');
    assert.deepEqual(passed, got.cloned);
    assert.equal(got.deep, true, 'a message that is not a text chunk is still cloned deeply');
  });

  it('is needed: the legacy build on its own replaces them', async () => {
    const fnb = FIXTURES.find((s) => s.style.name === 'fnb')!;
    const g = await generateStatement(fnb);
    const got = await inFreshThread(READ_AND_REPORT.replace('LOAD()', `(await import(require.resolve(workerData.pdfjs)))`), new Uint8Array(g.pdf));
    assert.equal(got.pages, g.pages);
    assert.equal(got.nativePush, false, 'pdf.js no longer replaces Array.prototype.push: loadPdfjs() may be simplified');
  });
});
