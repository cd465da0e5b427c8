/**
 * Renders PDF pages to greyscale pixels for OCR, with pdf-parse's copy of pdf.js and the
 * canvas it brings (@napi-rs/canvas). A scanned page is an image drawn over the page, so
 * rendering it (rather than pulling the embedded image out) also handles crops, rotations
 * and pages that mix images with vector art; the cost is one rasterisation per page.
 *
 * Pages are rendered one at a time and their canvases dropped straight after, so memory
 * stays at one page (an A4 page at 300 DPI is 2480 × 3508 pixels: 35 MB of RGBA, 9 MB of
 * grey) whatever the document's length.
 */
import path from 'node:path';
import type { PDFParse as PdfParseClass } from 'pdf-parse';

// Loaded on first use: workers that never read a PDF do not carry pdf.js (~28 MB).
const loadPdfParse = (): typeof PdfParseClass => (require('pdf-parse') as typeof import('pdf-parse')).PDFParse;

/** One rendered page: 8-bit grey, row by row, `width` × `height` pixels. */
export interface PageRaster {
  page: number;
  /** Pixels per inch the page was rendered at (72 PDF points to the inch). */
  dpi: number;
  width: number;
  height: number;
  /** The page's size in PDF points, as the text layer would measure it. */
  pageWidth: number;
  pageHeight: number;
  gray: Uint8Array;
}

/** Longest side of a rendered page, in pixels: a huge MediaBox is rendered at a lower DPI. */
const MAX_SIDE_PX = 5000;

// The small part of pdf.js's API used here.
interface Viewport {
  width: number;
  height: number;
}
interface PdfPage {
  getViewport(options: { scale: number }): Viewport;
  getOperatorList(): Promise<{ fnArray: number[]; argsArray: unknown[] }>;
  render(params: { canvasContext: unknown; viewport: Viewport; canvas: unknown; background?: string }): { promise: Promise<void> };
  cleanup(): void;
}
interface CanvasAndContext {
  canvas: unknown;
  context: { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
interface PdfDocument {
  numPages: number;
  getPage(n: number): Promise<PdfPage>;
  canvasFactory: { create(w: number, h: number): CanvasAndContext; destroy(c: CanvasAndContext): void };
}

// pdf.js operator codes (OPS) used to find the scanned image on a page.
const OP_SAVE = 10;
const OP_RESTORE = 11;
const OP_TRANSFORM = 12;
const OP_PAINT_IMAGE = 85;
const OP_PAINT_INLINE_IMAGE = 86;

type Matrix = [number, number, number, number, number, number];
const multiply = (m: Matrix, t: Matrix): Matrix => [
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
async function scanDpi(page: PdfPage): Promise<number | null> {
  const { fnArray, argsArray } = await page.getOperatorList();
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  const stack: Matrix[] = [];
  let best: { area: number; dpi: number } | null = null;
  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i];
    const args = argsArray[i] as unknown[] | null;
    if (fn === OP_SAVE) stack.push(ctm);
    else if (fn === OP_RESTORE) ctm = stack.pop() ?? ctm;
    else if (fn === OP_TRANSFORM && args) ctm = multiply(ctm, args as Matrix);
    else if (fn === OP_PAINT_IMAGE || fn === OP_PAINT_INLINE_IMAGE) {
      const w = fn === OP_PAINT_IMAGE ? Number(args?.[1]) : Number((args?.[0] as { width?: number } | undefined)?.width);
      const drawnW = Math.hypot(ctm[0], ctm[1]);
      const drawnH = Math.hypot(ctm[2], ctm[3]);
      if (!(w > 0) || !(drawnW > 0)) continue;
      const area = drawnW * drawnH;
      if (!best || area > best.area) best = { area, dpi: (w / drawnW) * 72 };
    }
  }
  return best && best.area > 100 * 100 ? best.dpi : null;
}

export interface PdfRenderer {
  readonly pageCount: number;
  /**
   * Renders page `page` at `dpi`, or, when `dpi` is 'scan', at the resolution of the
   * page's scanned image (kept within 200..400 DPI; 300 for a page without one).
   */
  render(page: number, dpi: number | 'scan'): Promise<PageRaster>;
  close(): Promise<void>;
}

/**
 * pdf.js draws the 14 standard fonts (Helvetica, Times...) that a PDF names without
 * embedding from font files shipped in pdfjs-dist (installed with pdf-parse); without
 * them it falls back to a look-alike. Scans have no fonts, so this only matters for pages
 * that mix text and images.
 */
function standardFontDataUrl(): string | undefined {
  try {
    return path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts') + path.sep;
  } catch {
    return undefined;
  }
}

/** Opens a PDF for rendering; the caller closes it. The caller's buffer is not touched. */
export async function openRenderer(data: Uint8Array): Promise<PdfRenderer> {
  const parser = new (loadPdfParse())({
    data: new Uint8Array(data),
    verbosity: 0,
    isEvalSupported: false, // untrusted input
    useSystemFonts: false,
    standardFontDataUrl: standardFontDataUrl(),
  });
  let doc: PdfDocument;
  try {
    doc = await (parser as unknown as { load(): Promise<PdfDocument> }).load();
  } catch (err) {
    await parser.destroy().catch(() => undefined);
    throw err;
  }
  return {
    pageCount: doc.numPages,
    async render(n: number, wanted: number | 'scan'): Promise<PageRaster> {
      const page = await doc.getPage(n);
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
        const cc = doc.canvasFactory.create(width, height);
        try {
          await page.render({ canvasContext: cc.context, viewport, canvas: cc.canvas, background: 'rgb(255,255,255)' }).promise;
          const rgba = cc.context.getImageData(0, 0, width, height).data;
          return {
            page: n,
            dpi: scale * 72,
            width,
            height,
            pageWidth: base.width,
            pageHeight: base.height,
            gray: toGray(rgba, width * height),
          };
        } finally {
          doc.canvasFactory.destroy(cc);
        }
      } finally {
        page.cleanup();
      }
    },
    async close() {
      await parser.destroy().catch(() => undefined);
    },
  };
}

/** ITU-R BT.601 luma, in integers; transparent pixels count as white paper. */
export function toGray(rgba: Uint8ClampedArray | Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let i = 0, j = 0; i < pixels; i++, j += 4) {
    const a = rgba[j + 3];
    const y = (rgba[j] * 299 + rgba[j + 1] * 587 + rgba[j + 2] * 114) / 1000;
    out[i] = a === 255 ? y : Math.round((y * a + 255 * (255 - a)) / 255);
  }
  return out;
}

/** A binary PGM (P5) image: what the OCR engine reads fastest (no compression to undo). */
export function toPgm(r: Pick<PageRaster, 'width' | 'height' | 'gray'>): Buffer {
  const header = Buffer.from(`P5\n${r.width} ${r.height}\n255\n`, 'latin1');
  return Buffer.concat([header, Buffer.from(r.gray.buffer, r.gray.byteOffset, r.gray.byteLength)]);
}

/** Share of pixels darker than mid-grey: a blank page (the back of a sheet) has almost none. */
export function inkCoverage(r: Pick<PageRaster, 'gray'>): number {
  let dark = 0;
  const g = r.gray;
  for (let i = 0; i < g.length; i += 4) if (g[i] < 128) dark++;
  return dark / Math.max(1, Math.ceil(g.length / 4));
}
