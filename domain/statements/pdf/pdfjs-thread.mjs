// pdf.js in a worker thread of its own, as plain JavaScript: the TypeScript loader that
// runs the service (tsx) would otherwise transpile pdf.js's ~3 MB of ES modules and keep
// them with their source maps — measured +460 MB of RSS for one statement that way,
// against +73 MB here. See thread.ts for the client side.
//
// Requests are {id, op, ...}; the answer is {id, ok, value} or {id, ok: false, error}.
//   inspect {data}              -> {numPages}
//   pages   {data, first, last} -> {numPages, pages: [{page, width, height, transform, items}]}
//   whole   {data, last}        -> the same for pages 1..numPages, or {numPages, pages: null}
//                                  when the document has more than `last` pages (one open
//                                  tells both the length and, for a short statement, the text)
//   open    {data}              -> {docId, numPages}       (a document kept for rendering)
//   render  {docId, page, dpi}  -> a greyscale raster of the page (pdfjs-render.mjs)
//   close   {docId}             -> {}
// Text items stay raw (str, transform, width); mapping them to positions is extract.ts's job.
// While reading pages, {id, step: true} is sent after each one: the client grants a request
// time page by page (thread.ts), and stops this thread when one falls behind. The client
// sends one request at a time, so whatever this thread is doing belongs to one request.
import { parentPort } from 'node:worker_threads';
import { createRenderOps } from './pdfjs-render.mjs';

const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');

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

async function textPages({ id, op, data, first, last }) {
  const task = pdfjs.getDocument({ ...OPEN_OPTIONS, data });
  try {
    const doc = await task.promise;
    if (op === 'inspect') return { numPages: doc.numPages };
    if (op === 'whole' && doc.numPages > last) return { numPages: doc.numPages, pages: null };
    const pages = [];
    const end = Math.min(last, doc.numPages);
    for (let n = first; n <= end; n++) {
      let page;
      let content;
      try {
        page = await doc.getPage(n);
        content = await page.getTextContent();
      } catch (err) {
        throw Object.assign(new Error(String(err?.message ?? err)), { name: err?.name ?? 'Error', page: n });
      }
      const viewport = page.getViewport({ scale: 1 });
      pages.push({
        page: n,
        width: viewport.width,
        height: viewport.height,
        transform: viewport.transform,
        items: content.items.filter((i) => typeof i.str === 'string').map((i) => ({ str: i.str, transform: i.transform, width: i.width })),
      });
      page.cleanup();
      parentPort.postMessage({ id, step: true });
    }
    return { numPages: doc.numPages, pages };
  } finally {
    await task.destroy().catch(() => undefined);
  }
}

const renderOps = createRenderOps(pdfjs, OPEN_OPTIONS);

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
    parentPort.postMessage({ id: request.id, ok: true, value }, transfer);
  } catch (err) {
    parentPort.postMessage({ id: request.id, ok: false, error: { name: err?.name ?? 'Error', message: String(err?.message ?? err), page: err?.page } });
  }
});
