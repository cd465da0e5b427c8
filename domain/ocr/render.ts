/**
 * Renders PDF pages to greyscale pixels for OCR. The rendering itself happens in the
 * pdf.js thread (../statements/pdf/pdfjs-render.mjs), outside the TypeScript loader, on
 * the same copy of pdf.js that extracts text: rendered here through pdf-parse it cost
 * ~270 MB of extra RSS on a worker's first scan. Pages are rendered one at a time and
 * only their greyscale pixels come back, so memory stays at about one page (A4 at 300 DPI:
 * 9 MB of grey) whatever the document's length.
 */
import { askPdfThread, PDF_THREAD_STOPPED, pinPdfThread, type PdfThreadError } from '../statements/pdf/thread';

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
 * The thread's error as an Error. A stopped thread keeps its name so callers can tell a
 * crash (retryable: nothing is known about the file) from pdf.js refusing the file.
 */
function asError(err: unknown): Error {
  const e = err as PdfThreadError;
  if (err instanceof Error) return err;
  return Object.assign(new Error(e?.message ?? String(err)), { name: e?.name === PDF_THREAD_STOPPED ? PDF_THREAD_STOPPED : 'PdfRenderError' });
}

async function call<T>(request: { op: string; data?: Uint8Array } & Record<string, unknown>): Promise<T> {
  try {
    return await askPdfThread<T>(request);
  } catch (err) {
    throw asError(err);
  }
}

/** Opens a PDF for rendering; the caller closes it. The caller's buffer is not touched. */
export async function openRenderer(data: Uint8Array): Promise<PdfRenderer> {
  const { docId, numPages } = await call<{ docId: number; numPages: number }>({ op: 'open', data });
  const unpin = pinPdfThread(); // the document lives in the thread until closed
  let closed = false;
  return {
    pageCount: numPages,
    async render(page: number, dpi: number | 'scan'): Promise<PageRaster> {
      if (closed) throw new Error('render after close');
      if (!Number.isInteger(page) || page < 1 || page > numPages) throw new RangeError(`render: page ${page} is not in 1..${numPages}`);
      return call<PageRaster>({ op: 'render', docId, page, dpi });
    },
    async close() {
      if (closed) return;
      closed = true;
      await call({ op: 'close', docId }).catch(() => undefined);
      unpin();
    },
  };
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
