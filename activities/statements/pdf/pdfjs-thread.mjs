// pdf.js in a worker thread of its own, as plain JavaScript: the TypeScript loader that
// runs the service (tsx) would otherwise transpile pdf.js's ~3 MB of ES modules and keep
// them with their source maps — measured +460 MB of RSS for one statement that way,
// against +73 MB here. The thread answers {id, op, data, first, last} requests with the
// raw text items of pages (str, transform, width) and their viewports; the mapping to
// positioned items stays in extract.ts.
import { parentPort } from 'node:worker_threads';

const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');

async function handle({ op, data, first, last }) {
  const task = pdfjs.getDocument({
    data,
    verbosity: 0,
    isEvalSupported: false, // untrusted input: no eval in font/function programs
    useSystemFonts: false,
    disableFontFace: true,
  });
  try {
    const doc = await task.promise;
    if (op === 'inspect') return { numPages: doc.numPages };
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
    }
    return { numPages: doc.numPages, pages };
  } finally {
    await task.destroy().catch(() => undefined);
  }
}

parentPort.on('message', async (request) => {
  try {
    parentPort.postMessage({ id: request.id, ok: true, value: await handle(request) });
  } catch (err) {
    parentPort.postMessage({ id: request.id, ok: false, error: { name: err?.name ?? 'Error', message: String(err?.message ?? err), page: err?.page } });
  }
});
