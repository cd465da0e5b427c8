// pdf.js in a worker thread of its own, as plain JavaScript: the TypeScript loader that
// runs the service (tsx) would otherwise transpile pdf.js's ~3 MB of ES modules and keep
// them with their source maps — measured +460 MB of RSS for one statement that way,
// against +73 MB here. See thread.ts for the client side.
//
// Requests are {id, op, ...}; the answer is {id, ok, value} or {id, ok: false, error}.
//   inspect {data}              -> {numPages}
//   Every request that opens a document may carry `password` (the statement's user password).
//   pages   {data, first, last, keep?} -> {numPages, json, textless}: the pages as the JSON text of
//                                         PositionedPage[] (pdfjs-positions.mjs), and the numbers of
//                                         those without a text layer
//   whole   {data, last, keep?}        -> the same for pages 1..numPages, or {numPages, json: null}
//                                         when the document has more than `last` pages (one open
//                                         tells both the length and, for a short statement, the text)
//   `keep` names the document, kept open for the next requests with that name (see `kept`).
//   open    {data}              -> {docId, numPages}       (a document kept for rendering)
//   render  {docId, page, dpi}  -> a greyscale raster of the page (pdfjs-render.mjs)
//   close   {docId}             -> {}
// Every answer carries `heap`, the thread's heap size, by which the client decides whether
// an idle thread is worth replacing. Opening a document for text sends {id, opened: true} (counted, for tests). While reading
// pages, {id, step: true} is sent after each one: the client grants a request
// time page by page (thread.ts), and stops this thread when one falls behind. The client
// sends one request at a time, so whatever this thread is doing belongs to one request.
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { loadPdfjs } from './pdfjs-load.mjs';
import { openPdf } from './pdfjs-open.mjs';
import { pagesAnswer, positionedPage } from './pdfjs-positions.mjs';
import { createRenderOps } from './pdfjs-render.mjs';

const pdfjs = await loadPdfjs();

/**
 * Largest image pdf.js decodes, in pixels; a bigger one is left out of the page. An A4
 * scan at 600 DPI is 35 megapixels; 40 decoded to RGBA is 160 MB, memory outside the
 * thread's heap cap (typed arrays), so it is bounded here instead.
 */
const MAX_IMAGE_PIXELS = 40_000_000;

// Untrusted input: the options that limit what a document can make pdf.js do.
// stopAtErrors stays off: pdf.js skips a damaged object and reads the rest, and real
// statements with a stray broken object are common enough; the time and memory bounds
// (thread.ts) are what stop a document that asks too much.
const OPEN_OPTIONS = {
  verbosity: 0,
  isEvalSupported: false, // no eval of the PDF's PostScript functions or font programs
  useSystemFonts: false, // no fonts from the host's disk
  disableFontFace: true, // glyphs drawn as paths: no FontFace objects built from the PDF's font files
  maxImageSize: MAX_IMAGE_PIXELS,
};

/**
 * Documents kept open for text between requests, by the caller's key (`keep`), most recent
 * last. A long statement is read in chunks, and opening it again for each would parse its
 * cross-reference table and page tree again: ~0.3-0.5 s at 500 pages. A document goes once
 * its last page is read, when pushed out by newer ones, or with the thread (stopped when
 * idle); two at most, so two statements read side by side on one worker both keep theirs.
 */
const kept = [];
const MAX_KEPT = 2;

async function forget(entry) {
  const at = kept.indexOf(entry);
  if (at >= 0) kept.splice(at, 1);
  await entry.task.destroy().catch(() => undefined);
}

/**
 * Opens `data`, with `password` when there is one. pdf.js uses a password's characters as
 * bytes (Latin-1), as PDF 1.4-1.7 locks want; an AES-256 lock (PDF 2.0, "1.7 extension 3")
 * wants its UTF-8 bytes. So a password beyond ASCII that does not open the file is tried
 * once more as UTF-8. `data` is the thread's own copy; each try gets a copy of it, as pdf.js
 * takes over the buffer it is given.
 */
async function openLocked(options, data, password) {
  if (!password) return openPdf(pdfjs, { ...options, data });
  const utf8 = /[^\x00-\x7f]/.test(password) ? Buffer.from(password, 'utf8').toString('latin1') : null;
  try {
    return await openPdf(pdfjs, { ...options, data: utf8 ? data.slice() : data, password });
  } catch (err) {
    if (!utf8 || err?.name !== 'PasswordException' || err?.code !== 2) throw err;
    return openPdf(pdfjs, { ...options, data, password: utf8 });
  }
}

/** The document for a request: the kept one under its key, or opened now (and kept if it has a key). */
async function documentFor(id, data, keep, password) {
  const hit = keep ? kept.find((e) => e.key === keep) : undefined;
  if (hit) {
    kept.splice(kept.indexOf(hit), 1);
    kept.push(hit);
    return hit;
  }
  parentPort.postMessage({ id, opened: true });
  const { task, doc } = await openLocked(OPEN_OPTIONS, data, password);
  const entry = { key: keep, task, doc };
  if (keep) {
    kept.push(entry);
    while (kept.length > MAX_KEPT) await forget(kept[0]);
  }
  return entry;
}

async function textPages({ id, op, data, first, last, keep, password }) {
  const entry = await documentFor(id, data, op === 'inspect' ? undefined : keep, password);
  const { doc } = entry;
  let done = false;
  try {
    if (op === 'inspect') return { numPages: doc.numPages };
    if (op === 'whole' && doc.numPages > last) return { numPages: doc.numPages, json: null, textless: [] };
    const pages = [];
    const end = Math.min(last, doc.numPages);
    for (let n = first; n <= end; n++) {
      let page;
      let content;
      try {
        page = await doc.getPage(n);
        content = await page.getTextContent();
      } catch (err) {
        done = true; // a page that fails may leave the document half-read: not kept
        throw Object.assign(new Error(String(err?.message ?? err)), { name: err?.name ?? 'Error', page: n });
      }
      pages.push(positionedPage(n, page.getViewport({ scale: 1 }), content.items));
      page.cleanup();
      parentPort.postMessage({ id, step: true });
    }
    if (end >= doc.numPages) done = true; // its last page is read: the statement is done with it
    return { numPages: doc.numPages, ...pagesAnswer(pages) };
  } finally {
    if (!entry.key || done) await forget(entry);
    // A document kept for its next chunk keeps its structure, not the pages read: pdf.js
    // caches every page and font it loaded until told, ~30-50 MB over 500 pages.
    else await doc.cleanup().catch(() => undefined);
  }
}

/** The thread's heap as V8 holds it (used or not): what an idle thread would keep. */
const heapBytes = () => getHeapStatistics().total_heap_size;

const renderOps = createRenderOps(openLocked, OPEN_OPTIONS);

// Each returns {value, transfer?}: transfer moves big buffers (page rasters) instead of copying.
const handlers = {
  inspect: async (r) => ({ value: await textPages(r) }),
  pages: async (r) => ({ value: await textPages(r) }),
  whole: async (r) => ({ value: await textPages({ ...r, first: 1 }) }),
  open: (r) => renderOps.open(r),
  render: (r) => renderOps.render(r),
  close: (r) => renderOps.close(r),
};

parentPort.on('message', async (request) => {
  try {
    const handler = handlers[request.op];
    if (!handler) throw new Error(`unknown pdf.js thread op ${request.op}`);
    const { value, transfer = [] } = await handler(request);
    parentPort.postMessage({ id: request.id, ok: true, value, heap: heapBytes() }, transfer);
  } catch (err) {
    // `code` tells a PasswordException's "none given" (1) from "wrong one" (2).
    const error = { name: err?.name ?? 'Error', message: String(err?.message ?? err), page: err?.page, code: typeof err?.code === 'number' ? err.code : undefined };
    parentPort.postMessage({ id: request.id, ok: false, error, heap: heapBytes() });
  }
});
