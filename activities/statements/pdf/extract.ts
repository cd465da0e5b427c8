/**
 * Positioned text out of a PDF, through pdf-parse's copy of pdf.js.
 *
 * pdf-parse's public getText() flattens each page to a string, which loses the x/y we
 * need, so we use the pdf.js document it loads (its load() is private in the typings but
 * is the supported way it opens documents) and ask each page for getTextContent(): text
 * items with their transform, no rendering. One document is loaded per call and destroyed
 * afterwards; pages are visited once each and cleaned up as we go, so the cost is linear
 * in the pages asked for.
 */
import type { PDFParse as PdfParseClass } from 'pdf-parse';

// Loaded on first use: workers that never read a PDF do not carry pdf.js (~28 MB).
const loadPdfParse = (): typeof PdfParseClass => (require('pdf-parse') as typeof import('pdf-parse')).PDFParse;
import { TaskErrorCodes, TaskInputError } from '../../../core/errors/task-errors';
import { pageHasText } from '../text-layer';
import type { PositionedPage, TextItem } from '../types';

// The small part of pdf.js's API used here.
interface PdfTextItem {
  str?: string;
  transform?: number[];
  width?: number;
  height?: number;
}
interface PdfPage {
  getViewport(options: { scale: number }): { width: number; height: number; transform: number[] };
  getTextContent(): Promise<{ items: PdfTextItem[] }>;
  cleanup(): void;
}
interface PdfDocument {
  numPages: number;
  getPage(n: number): Promise<PdfPage>;
}

function isPasswordError(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name ?? '';
  return name === 'PasswordException' || /password/i.test(String((err as Error)?.message ?? ''));
}

const UNREADABLE =
  'The file could not be read as a PDF: it may be damaged, incomplete (cut off while downloading) or not a PDF at all.';

/**
 * Every complete PDF ends with "%%EOF" (possibly followed by a little padding). pdf.js
 * would try to rebuild a cut-off file and could return its first pages as if that were
 * the whole statement; a statement with its last pages missing must not pass as complete.
 */
function looksComplete(data: Uint8Array): boolean {
  const tail = Buffer.from(data.buffer, data.byteOffset, data.byteLength).subarray(Math.max(0, data.byteLength - 65_536));
  return tail.includes('%%EOF');
}

async function withDocument<T>(data: Uint8Array, use: (doc: PdfDocument) => Promise<T>): Promise<T> {
  if (!looksComplete(data)) throw new TaskInputError(TaskErrorCodes.PDF_UNREADABLE, UNREADABLE);
  // A copy: pdf.js may take ownership of the buffer, and the caller may still need it (OCR).
  const parser = new (loadPdfParse())({
    data: new Uint8Array(data),
    verbosity: 0,
    isEvalSupported: false, // untrusted input: no eval in font/function programs
    useSystemFonts: false,
    disableFontFace: true,
  });
  try {
    let doc: PdfDocument;
    try {
      doc = await (parser as unknown as { load(): Promise<PdfDocument> }).load();
    } catch (err) {
      if (isPasswordError(err)) {
        throw new TaskInputError(
          TaskErrorCodes.PDF_ENCRYPTED,
          'The PDF is password-protected. Open it with its password, save or print it as a PDF without a password, and upload that copy.',
        );
      }
      throw new TaskInputError(TaskErrorCodes.PDF_UNREADABLE, UNREADABLE);
    }
    return await use(doc);
  } finally {
    await parser.destroy().catch(() => undefined);
  }
}

export async function inspectPdf(data: Uint8Array): Promise<{ pageCount: number }> {
  return withDocument(data, async (doc) => ({ pageCount: doc.numPages }));
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Viewport × item transform: where the text sits on the page as displayed, y down. */
function toItem(item: PdfTextItem, vt: number[]): TextItem | null {
  const str = item.str;
  const t = item.transform;
  if (!str || !t || !/\S/.test(str)) return null;
  const a = vt[0] * t[0] + vt[2] * t[1];
  const b = vt[1] * t[0] + vt[3] * t[1];
  const c = vt[0] * t[2] + vt[2] * t[3];
  const d = vt[1] * t[2] + vt[3] * t[3];
  const e = vt[0] * t[4] + vt[2] * t[5] + vt[4];
  const f = vt[1] * t[4] + vt[3] * t[5] + vt[5];
  // Only upright, left-to-right text belongs to a table; rotated margin notes do not.
  if (a <= 0 || d >= 0 || Math.abs(b) > 0.05 * a || Math.abs(c) > 0.05 * -d) return null;
  const height = Math.hypot(c, d);
  return { str, x: round(e), y: round(f - height), width: round(item.width ?? 0), height: round(height) };
}

/** Pages firstPage..lastPage (1-based, inclusive; lastPage is clipped to the document). */
export async function extractPages(data: Uint8Array, firstPage: number, lastPage: number): Promise<PositionedPage[]> {
  if (!Number.isInteger(firstPage) || !Number.isInteger(lastPage) || firstPage < 1 || lastPage < firstPage) {
    throw new RangeError(`extractPages: bad page range ${firstPage}..${lastPage}`);
  }
  return withDocument(data, async (doc) => {
    const out: PositionedPage[] = [];
    const last = Math.min(lastPage, doc.numPages);
    for (let n = firstPage; n <= last; n++) {
      let page: PdfPage;
      let content: { items: PdfTextItem[] };
      try {
        page = await doc.getPage(n);
        content = await page.getTextContent();
      } catch (err) {
        if (isPasswordError(err)) throw err;
        throw new TaskInputError(
          TaskErrorCodes.PDF_UNREADABLE,
          `Page ${n} of the PDF could not be read: the file may be damaged or incomplete.`,
        );
      }
      const viewport = page.getViewport({ scale: 1 });
      const items: TextItem[] = [];
      for (const it of content.items) {
        const item = toItem(it, viewport.transform);
        if (item) items.push(item);
      }
      page.cleanup();
      out.push({ page: n, width: round(viewport.width), height: round(viewport.height), items, hasText: pageHasText(items) });
    }
    return out;
  });
}
