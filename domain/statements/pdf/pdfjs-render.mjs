// Page rendering for OCR, inside the pdf.js thread (pdfjs-thread.mjs): a scanned page is
// an image drawn over the page, so rendering it (rather than pulling the embedded image
// out) also handles crops, rotations and pages that mix images with vector art; the cost
// is one rasterisation per page. pdf.js draws on @napi-rs/canvas in Node.
//
// A document is opened once and pages are rendered one at a time, each canvas destroyed
// straight after: memory stays at one page (A4 at 300 DPI is 2480 × 3508 pixels, 35 MB
// of RGBA) whatever the document's length. Only the greyscale copy (9 MB) leaves the
// thread, transferred, not copied.
import { createRequire } from 'node:module';
import path from 'node:path';

/** Longest side of a rendered page, in pixels: a huge MediaBox is rendered at a lower DPI. */
const MAX_SIDE_PX = 5000;
/** Documents kept open at once. A caller closes its own; this only bounds a leak. */
const MAX_OPEN_DOCUMENTS = 8;

// pdf.js operator codes (OPS) used to find the scanned image on a page.
const OP_SAVE = 10;
const OP_RESTORE = 11;
const OP_TRANSFORM = 12;
const OP_PAINT_IMAGE = 85;
const OP_PAINT_INLINE_IMAGE = 86;

const multiply = (m, t) => [
  m[0] * t[0] + m[2] * t[1],
  m[1] * t[0] + m[3] * t[1],
  m[0] * t[2] + m[2] * t[3],
  m[1] * t[2] + m[3] * t[3],
  m[0] * t[4] + m[2] * t[5] + m[4],
  m[1] * t[4] + m[3] * t[5] + m[5],
];

/**
 * The resolution the page's largest image was scanned at (its pixels over the size it is
 * drawn at), or null if the page draws no image. Rendering a scan at its own resolution
 * reads best: resampling a 200 DPI scan up to 300 DPI adds no detail, only blur.
 */
async function scanDpi(page) {
  const { fnArray, argsArray } = await page.getOperatorList();
  let ctm = [1, 0, 0, 1, 0, 0];
  const stack = [];
  let best = null;
  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i];
    const args = argsArray[i];
    if (fn === OP_SAVE) stack.push(ctm);
    else if (fn === OP_RESTORE) ctm = stack.pop() ?? ctm;
    else if (fn === OP_TRANSFORM && args) ctm = multiply(ctm, args);
    else if (fn === OP_PAINT_IMAGE || fn === OP_PAINT_INLINE_IMAGE) {
      const w = fn === OP_PAINT_IMAGE ? Number(args?.[1]) : Number(args?.[0]?.width);
      const drawnW = Math.hypot(ctm[0], ctm[1]);
      const drawnH = Math.hypot(ctm[2], ctm[3]);
      if (!(w > 0) || !(drawnW > 0)) continue;
      const area = drawnW * drawnH;
      if (!best || area > best.area) best = { area, dpi: (w / drawnW) * 72 };
    }
  }
  return best && best.area > 100 * 100 ? best.dpi : null;
}

/** ITU-R BT.601 luma, in integers; transparent pixels count as white paper. */
function toGray(rgba, pixels) {
  const out = new Uint8Array(pixels);
  for (let i = 0, j = 0; i < pixels; i++, j += 4) {
    const a = rgba[j + 3];
    const y = (rgba[j] * 299 + rgba[j + 1] * 587 + rgba[j + 2] * 114) / 1000;
    out[i] = a === 255 ? y : Math.round((y * a + 255 * (255 - a)) / 255);
  }
  return out;
}

/**
 * The 14 standard fonts (Helvetica, Times...) that a PDF names without embedding are drawn
 * from font files shipped in pdfjs-dist; without them pdf.js falls back to a look-alike.
 * Scans have no fonts, so this only matters for pages that mix text and images.
 */
function standardFontDataUrl() {
  try {
    const require = createRequire(import.meta.url);
    return path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts') + path.sep;
  } catch {
    return undefined;
  }
}

/** `openLocked(options, data, password)`: the thread's open (pdfjs-thread.mjs), which handles passwords. */
export function createRenderOps(openLocked, openOptions) {
  const docs = new Map(); // docId -> {task, doc}, oldest first
  let nextDocId = 1;
  const fonts = standardFontDataUrl();

  async function close({ docId }) {
    const entry = docs.get(docId);
    docs.delete(docId);
    await entry?.task.destroy().catch(() => undefined);
    return { value: {} };
  }

  return {
    async open({ data, password }) {
      const { task, doc } = await openLocked({ ...openOptions, standardFontDataUrl: fonts }, data, password);
      while (docs.size >= MAX_OPEN_DOCUMENTS) await close({ docId: docs.keys().next().value });
      const docId = nextDocId++;
      docs.set(docId, { task, doc });
      return { value: { docId, numPages: doc.numPages } };
    },

    /** `dpi` a number, or 'scan': the page's scanned image's own resolution, within 200..400 (300 without one). */
    async render({ docId, page: n, dpi: wanted }) {
      const entry = docs.get(docId);
      if (!entry) throw new Error(`document ${docId} is not open in the pdf.js thread`);
      const page = await entry.doc.getPage(n);
      try {
        let dpi = typeof wanted === 'number' ? wanted : 300;
        if (wanted === 'scan') {
          const native = await scanDpi(page).catch(() => null);
          if (native) dpi = Math.min(400, Math.max(200, native));
        }
        const base = page.getViewport({ scale: 1 });
        const scale = Math.min(dpi / 72, MAX_SIDE_PX / Math.max(base.width, base.height));
        const viewport = page.getViewport({ scale });
        const width = Math.max(1, Math.round(viewport.width));
        const height = Math.max(1, Math.round(viewport.height));
        const cc = entry.doc.canvasFactory.create(width, height);
        try {
          await page.render({ canvasContext: cc.context, viewport, canvas: cc.canvas, background: 'rgb(255,255,255)' }).promise;
          const gray = toGray(cc.context.getImageData(0, 0, width, height).data, width * height);
          return {
            value: { page: n, dpi: scale * 72, width, height, pageWidth: base.width, pageHeight: base.height, gray },
            transfer: [gray.buffer],
          };
        } finally {
          entry.doc.canvasFactory.destroy(cc);
        }
      } finally {
        page.cleanup();
      }
    },

    close,
  };
}
