/**
 * Renders PDF pages to greyscale pixels for OCR. The rendering itself happens in the
 * pdf.js thread (../statements/pdf/pdfjs-render.mjs), outside the TypeScript loader, on
 * the same copy of pdf.js that extracts text: rendered here through pdf-parse it cost
 * ~270 MB of extra RSS on a worker's first scan. Pages are rendered one at a time and
 * only their greyscale pixels come back, so memory stays at about one page (A4 at 300 DPI:
 * 9 MB of grey) whatever the document's length.
 *
 * Opening is bounded by PDF_OPEN_TIMEOUT_MS and each page by PDF_RENDER_TIMEOUT_MS; over
 * either, or out of the thread's memory, the document fails PDF_TOO_COMPLEX. The thread is
 * shared: when it is replaced (another document overran its limits), the open document
 * went with it, and the renderer opens it again in the new thread.
 */
import {
  askPdfThreadOn,
  PDF_THREAD_REPLACED,
  PDF_THREAD_STOPPED,
  pdfLimits,
  pinPdfThread,
  type PdfLimits,
  type PdfThreadCall,
  type PdfThreadError,
} from '../statements/pdf/thread';

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

const isReplaced = (err: unknown) => (err as PdfThreadError | null)?.name === PDF_THREAD_REPLACED;

async function call<T>(request: { op: string; data?: Uint8Array } & Record<string, unknown>, how: PdfThreadCall): Promise<{ value: T; thread: number }> {
  try {
    return await askPdfThreadOn<T>(request, how);
  } catch (err) {
    if (isReplaced(err)) throw err; // handled by the renderer: it opens the document again
    throw asError(err);
  }
}

/**
 * Times a document may be opened again after the thread holding it was replaced, per
 * page: each replacement is another document overrunning its limits, so more in a row
 * than this means the thread cannot keep a document open at all.
 */
const MAX_REOPENS = 3;

export interface RendererOptions {
  /** Aborting it stops an open or a render under way (the pdf.js thread's job is terminated). */
  signal?: AbortSignal;
  /** Limits for this renderer, over the process's (configurePdfThread). */
  limits?: Partial<PdfLimits>;
  /** The user password of a locked PDF. */
  password?: string;
}

/**
 * Opens a PDF for rendering; the caller closes it. The caller's buffer is not touched (it
 * is kept, unchanged, to open the document again if its thread is replaced).
 */
export async function openRenderer(data: Uint8Array, options: RendererOptions = {}): Promise<PdfRenderer> {
  const { signal } = options;
  const limits = pdfLimits(options.limits);
  const memory = { threadMemoryMb: limits.threadMemoryMb };
  let doc: { docId: number; thread: number; unpin: () => void };
  const open = async () => {
    const { value, thread } = await call<{ docId: number; numPages: number }>({ op: 'open', data, ...(options.password ? { password: options.password } : {}) }, { signal, timeoutMs: limits.openTimeoutMs, ...memory });
    doc = { docId: value.docId, thread, unpin: pinPdfThread(thread) }; // the document lives in that thread until closed
    return value.numPages;
  };
  const numPages = await open();
  let closed = false;
  return {
    pageCount: numPages,
    async render(page: number, dpi: number | 'scan'): Promise<PageRaster> {
      if (closed) throw new Error('render after close');
      if (!Number.isInteger(page) || page < 1 || page > numPages) throw new RangeError(`render: page ${page} is not in 1..${numPages}`);
      for (let reopened = 0; ; reopened++) {
        try {
          const how = { signal, timeoutMs: limits.renderTimeoutMs, thread: doc.thread, ...memory };
          return (await call<PageRaster>({ op: 'render', docId: doc.docId, page, dpi }, how)).value;
        } catch (err) {
          if (!isReplaced(err) || reopened >= MAX_REOPENS) throw asError(err);
          doc.unpin();
          await open();
        }
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await call({ op: 'close', docId: doc.docId }, { thread: doc.thread, timeoutMs: limits.openTimeoutMs, ...memory }).catch(() => undefined);
      doc.unpin();
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
