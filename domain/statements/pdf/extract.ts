/**
 * Positioned text out of a PDF, through pdf.js (pdfjs-dist, the library pdf-parse wraps):
 * each page's getTextContent() gives text items with their transform, no rendering.
 * pdf-parse's getText() flattens pages to strings and loses the x/y we need.
 *
 * pdf.js runs in its own worker thread as plain JavaScript (thread.ts explains why). One
 * document is loaded per call and destroyed afterwards; pages are visited once each and
 * cleaned up as we go, so the cost is linear in the pages asked for. Each call is bounded
 * by the thread's limits (PdfLimits in thread.ts): over them it fails PDF_TOO_COMPLEX, and
 * a `signal` that aborts stops it, rejecting with the signal's reason.
 */
import { TaskErrorCodes, TaskInputError } from '../../../contract/errors/task-errors';
import type { PositionedPage } from '../types';
import { askPdfThread, PDF_THREAD_STOPPED, pdfLimits, type PdfLimits, type PdfThreadCall, type PdfThreadError } from './thread';

export interface PdfReadOptions {
  /** Aborting it stops the read at once (the pdf.js thread's job is terminated). */
  signal?: AbortSignal;
  /** Limits for this call, over the process's (configurePdfThread). */
  limits?: Partial<PdfLimits>;
  /**
   * A name for the document (unique to these bytes, such as the upload's file key): the
   * pdf.js thread keeps it open under that name until its last page has been read, so the
   * next chunk of pages does not open it again.
   */
  keepOpenAs?: string;
  /**
   * The user password of a locked PDF (sent with its upload). Without it a locked file fails
   * PDF_ENCRYPTED; a wrong one fails PDF_PASSWORD_INCORRECT. A file locked only against
   * editing (an owner password) opens without one.
   */
  password?: string;
}

/** Pages as the thread sends them: the JSON text of PositionedPage[] (pdfjs-positions.mjs). */
export interface PagesText {
  json: string;
  /** The pages without a text layer (hasText false), in order: the ones OCR would read. */
  textless: number[];
}

function isPasswordError(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name ?? '';
  return name === 'PasswordException' || /password/i.test(String((err as Error)?.message ?? ''));
}

/** pdf.js's PasswordResponses.INCORRECT_PASSWORD: a password was given and does not open the file. */
const INCORRECT_PASSWORD = 2;

/**
 * What a locked PDF fails with. The messages never repeat the password: they end up in the
 * task's row, its workflow history and the logs.
 */
function passwordError(e: Pick<PdfThreadError, 'code'>): TaskInputError {
  if (e.code === INCORRECT_PASSWORD) {
    return new TaskInputError(
      TaskErrorCodes.PDF_PASSWORD_INCORRECT,
      'The password sent with the upload does not open this PDF. Upload it again with its correct password in the "password" field.',
    );
  }
  return new TaskInputError(
    TaskErrorCodes.PDF_ENCRYPTED,
    'The PDF is password-protected. Upload it again with its password in the "password" field (the password the bank gave you to open the statement).',
  );
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

async function openDocument<T>(data: Uint8Array, signal: AbortSignal | undefined, request: () => Promise<T>): Promise<T> {
  if (!looksComplete(data)) throw new TaskInputError(TaskErrorCodes.PDF_UNREADABLE, UNREADABLE);
  try {
    return await request();
  } catch (err) {
    // A cancel, and the thread's own verdicts (PDF_TOO_COMPLEX), stand as they are; what
    // follows is for pdf.js's errors, which arrive as plain objects from the thread.
    if (signal?.aborted && err === signal.reason) throw err;
    if (err instanceof Error) throw err;
    const e = err as PdfThreadError;
    // The thread died (a crash): nothing is known about the file, so the activity may retry.
    if (e.name === PDF_THREAD_STOPPED) throw new Error(e.message);
    if (isPasswordError(e)) throw passwordError(e);
    if (e.page) {
      throw new TaskInputError(TaskErrorCodes.PDF_UNREADABLE, `Page ${e.page} of the PDF could not be read: the file may be damaged or incomplete.`);
    }
    throw new TaskInputError(TaskErrorCodes.PDF_UNREADABLE, UNREADABLE);
  }
}

export async function inspectPdf(data: Uint8Array, options: PdfReadOptions = {}): Promise<{ pageCount: number }> {
  const { signal } = options;
  const limits = pdfLimits(options.limits);
  const { numPages } = await openDocument(data, signal, () =>
    askPdfThread<{ numPages: number }>({ op: 'inspect', data, ...secretOf(options) }, { signal, timeoutMs: limits.openTimeoutMs, threadMemoryMb: limits.threadMemoryMb }),
  );
  return { pageCount: numPages };
}

/**
 * How a read of pages is bounded: the open allowance plus PDF_PAGE_TIMEOUT_MS for each page
 * done so far and the one under way.
 */
function textCall(options: PdfReadOptions): PdfThreadCall {
  const limits = pdfLimits(options.limits);
  return {
    signal: options.signal,
    timeoutMs: limits.openTimeoutMs + limits.pageTimeoutMs,
    perStepMs: limits.pageTimeoutMs,
    threadMemoryMb: limits.threadMemoryMb,
  };
}

/**
 * Pages firstPage..lastPage (1-based, inclusive; lastPage is clipped to the document).
 * The read may take the open allowance plus PDF_PAGE_TIMEOUT_MS for each page done so far
 * and the one under way: a document whose pages each ask far more than a statement's fails
 * PDF_TOO_COMPLEX a few pages in.
 */
export async function extractPages(data: Uint8Array, firstPage: number, lastPage: number, options: PdfReadOptions = {}): Promise<PositionedPage[]> {
  return JSON.parse((await extractPagesText(data, firstPage, lastPage, options)).json) as PositionedPage[];
}

/**
 * extractPages as the JSON text of the pages, which a work file stores as it is, and the
 * pages without a text layer: a chunk of a long statement is never rebuilt as objects here.
 */
export async function extractPagesText(data: Uint8Array, firstPage: number, lastPage: number, options: PdfReadOptions = {}): Promise<PagesText> {
  if (!Number.isInteger(firstPage) || !Number.isInteger(lastPage) || firstPage < 1 || lastPage < firstPage) {
    throw new RangeError(`extractPages: bad page range ${firstPage}..${lastPage}`);
  }
  const { signal } = options;
  const call = textCall(options);
  const { json, textless } = await openDocument(data, signal, () =>
    askPdfThread<PagesText>({ op: 'pages', data, first: firstPage, last: lastPage, keep: keyOf(data, options), ...secretOf(options) }, call),
  );
  return { json, textless };
}

/**
 * A short document in one request: its page count and, when it has at most `maxPages`
 * pages, every page's text (opened once, where inspectPdf then extractPages would open it
 * twice). A longer one answers with its page count and `pages: null`, having read no page.
 * Bounded like extractPages.
 */
export async function extractWholePdf(
  data: Uint8Array,
  maxPages: number,
  options: PdfReadOptions = {},
): Promise<{ pageCount: number; pages: PositionedPage[] | null }> {
  if (!Number.isInteger(maxPages) || maxPages < 1) throw new RangeError(`extractWholePdf: bad page limit ${maxPages}`);
  const { signal } = options;
  const call = textCall(options);
  const { numPages, json } = await openDocument(data, signal, () =>
    askPdfThread<{ numPages: number; json: string | null }>({ op: 'whole', data, last: maxPages, keep: keyOf(data, options), ...secretOf(options) }, call),
  );
  return { pageCount: numPages, pages: json === null ? null : (JSON.parse(json) as PositionedPage[]) };
}

/** The kept document's name: the caller's, with the file's length so other bytes under the same name never match. */
const keyOf = (data: Uint8Array, options: PdfReadOptions): string | undefined =>
  options.keepOpenAs === undefined ? undefined : `${options.keepOpenAs}#${data.byteLength}`;

/** The password field of a request to the thread, when there is one. */
const secretOf = (options: PdfReadOptions): { password?: string } => (options.password ? { password: options.password } : {});
