/**
 * Activities of the parsePdf workflow. The upload is read from the file store by key;
 * extracted pages go back to the store as work files, so nothing large ever travels
 * through workflow history. Saving is one database transaction: a failed or retried save
 * leaves no half-written session.
 */
import { Context, heartbeat } from '@temporalio/activity';
import type { Knex } from 'knex';
import { TaskErrorCodes, TaskInputError } from '../contract/errors';
import { workFileKey, workFilePrefix } from '../contract/file-keys';
import type { FileStore } from '../db/files';
import { discardParse, overlappingSessions, saveStatement, type NewSession } from '../db/sessions';
import {
  extractPages,
  extractPagesText,
  extractWholePdf,
  inspectPdf,
  isOcrPage,
  parseStatement,
  parseStatementFrom,
  parseStatementYielding,
  parseWithOcr,
  parseWithOcrYielding,
  releasePdfThreadIfIdle,
  type PageSource,
  type ParsedStatement,
  type PositionedPage,
} from '../domain/statements';
import { createOcr, scannedPageCount, tooManyScannedPages, type OcrPagesFn } from '../domain/ocr';
import { configurePdfThread, type PdfLimits } from '../domain/statements/pdf/thread';
import { refineProgress } from '../db/tasks';
import { deleteUploadPassword, readUploadPassword } from '../db/upload-secrets';
import { reviewOf, type ReviewKind } from '../domain/statements/review';
import { SecretUnreadableError, type SecretBox } from '../platform/secret-box';
import { taskActivity } from './task-activity';
import { centsToNumber } from '../domain/money';

export interface ParseDeps {
  db: Knex;
  files: FileStore;
  maxPages: number;
  /** Optional OCR for pages without a text layer; absent means such pages fail with PDF_NO_TEXT. */
  ocrPages?: OcrPagesFn;
  /** Most scanned pages read by OCR in one statement (OCR_MAX_PAGES); more fail OCR_TOO_MANY_PAGES. */
  ocrMaxPages?: number;
  /**
   * Bounds of the process's pdf.js thread (PDF_OPEN_TIMEOUT_MS, PDF_PAGE_TIMEOUT_MS,
   * PDF_RENDER_TIMEOUT_MS, PDF_THREAD_MEMORY_MB); unset ones keep their defaults. Over one,
   * a document fails PDF_TOO_COMPLEX.
   */
  pdfLimits?: Partial<PdfLimits>;
  /**
   * Opens the passwords sent with locked statements (FILE_SECRET_KEY's box). Absent: a
   * stored password is not looked up, and a locked file fails PDF_ENCRYPTED.
   */
  secrets?: SecretBox;
}

export interface ParseStatementResult {
  status: 'success';
  session_id: string;
  transaction_count: number;
  bank_source: string;
  warnings: ParsedStatement['warnings'];
  skipped_rows: ParsedStatement['skippedRows'];
  warnings_total: number;
  skipped_rows_total: number;
  opening_balance: number | null;
  closing_balance: number | null;
  period_start: string | null;
  period_end: string | null;
  reconciled: boolean;
  /** The statement did not prove itself: a person should review it (GET /sessions/{id}/review). */
  review_required: boolean;
  /** What stops it, in brief; null when it reconciled. */
  review: ReviewBrief | null;
  /** The user's other statements of this account that share transactions with this one (an overlap), and how many each. */
  overlaps: { session_id: string; count: number }[];
}

/** The task result's review summary (domain/statements/review.ts), as the API shows it. */
export interface ReviewBrief {
  counts: Partial<Record<ReviewKind, number>>;
  /** In rand: what the rows fail to explain between the opening and closing balance; null when either is unknown. */
  unexplained: number | null;
  problems: { page: number; line: number; kind: ReviewKind; code: string; message: string }[];
  problem_count: number;
}

function reviewBrief(parsed: ParsedStatement): ReviewBrief | null {
  const r = reviewOf(parsed);
  return r && { counts: r.counts, unexplained: centsToNumber(r.unexplainedCents), problems: r.problems, problem_count: r.problemCount };
}

/** What the fast path did: saved the statement, or found it needs the chunked path. */
export type WholeStatementOutcome = { kind: 'saved'; result: ParseStatementResult } | { kind: 'chunked'; pageCount: number };

/** Keeps the workflow result far below Temporal's payload limit whatever the input. */
const MAX_LISTED = 200;


/**
 * Parses the statement from the extraction's work files (JSON, in page order), as
 * pageSource says. Pages read by OCR go through the OCR repair, which re-parses with
 * candidate corrections and needs them all at hand; scans are capped at OCR_MAX_PAGES.
 */
export function parseChunks(chunks: Buffer[]): ParsedStatement {
  if (chunks.some(chunkHasOcrPages)) {
    return parsePages(pagesOf(chunks));
  }
  const { source, keepLines } = pageSource(chunks);
  return parseStatementFrom(source, { keepLines });
}

/**
 * Work files of up to this much JSON (~900 pages) are read once, the first pass's lines
 * kept for the second: at 503 pages (9 MB) the parse took ~15% less time than with every
 * page's lines built in both passes, at the same peak RSS (bench/RESULTS.md). Longer
 * statements are read twice, so memory never holds every page's lines.
 */
const KEEP_LINES_UP_TO_BYTES = 16 * 1024 * 1024;

/**
 * The pages of the work files for the parser, one work file's at a time, and whether the
 * parser keeps their lines for its second pass (keepLines) or reads them again: a long
 * statement's memory holds the compact JSON and one file's pages, not every page's lines
 * (about 0.3 MB per page).
 */
export function pageSource(chunks: Buffer[], keepLinesUpToBytes = KEEP_LINES_UP_TO_BYTES): { source: PageSource; keepLines: boolean } {
  const inOrder = (c: Buffer) => (JSON.parse(c.toString('utf8')) as PositionedPage[]).sort((a, b) => a.page - b.page);
  const source = function* () {
    for (const c of chunks) yield* inOrder(c);
  };
  return { source, keepLines: chunks.reduce((n, c) => n + c.byteLength, 0) <= keepLinesUpToBytes };
}

/** Every page at hand: pages read by OCR go through the OCR repair, text pages straight to the parser. */
export function parsePages(pages: PositionedPage[]): ParsedStatement {
  return pages.some(isOcrPage) ? parseWithOcr(pages) : parseStatement(pages);
}

/**
 * parseChunks inside an activity: a statement of thousands of pages, or the OCR repair's
 * trial parses, can take many seconds, so the parse hands the event loop back between
 * slices of work and calls `between` (heartbeat, and stop if cancelled) each time.
 */
export async function parseChunksInActivity(chunks: Buffer[], between: () => void): Promise<ParsedStatement> {
  if (chunks.some(chunkHasOcrPages)) return parseWithOcrYielding(pagesOf(chunks), between);
  const { source, keepLines } = pageSource(chunks);
  return parseStatementYielding(source, between, { keepLines });
}

/** Every page of the work files, at once (the OCR repair needs them all at hand). */
function pagesOf(chunks: Buffer[]): PositionedPage[] {
  return chunks.flatMap((c) => JSON.parse(c.toString('utf8')) as PositionedPage[]);
}

/** The extracted pages with those OCR read put in their place. */
function withOcrPages(pages: PositionedPage[], read: PositionedPage[]): PositionedPage[] {
  const byPage = new Map(read.map((p) => [p.page, p]));
  return pages.map((p) => byPage.get(p.page) ?? p);
}

/**
 * Pages per pdf.js request when a whole file is read in one go (readStatementFile), as the
 * workflow's chunks do: the thread holds one request's pages until it answers.
 */
const READ_PAGES_PER_REQUEST = 50;

/** Where a parse keeps its document's scanned-page count, among its work files (removed with them). */
const scannedCountKey = (taskId: string) => `${workFilePrefix(taskId)}scanned-pages.json`;

function tooManyPages(pageCount: number, max: number): TaskInputError {
  return new TaskInputError('PDF_TOO_MANY_PAGES', `The statement has ${pageCount} pages; at most ${max} are accepted`);
}

export interface ReadStatement {
  parsed: ParsedStatement;
  pageCount: number;
  /** Pages read by OCR. */
  ocrPages: number;
}

/**
 * A whole statement file read in this process, by the steps the parse workflow runs as
 * activities (inspect, extract, OCR for pages without text, parse), for `npm run parse`
 * and the accuracy bench: no servers, no work files.
 */
export async function readStatementFile(
  data: Uint8Array,
  options: {
    maxPages: number;
    ocr: { maxPages: number; concurrency: number } | null;
    onOcrPage?: (done: number, of: number) => void;
    /** The user password of a locked PDF. */
    password?: string;
  },
): Promise<ReadStatement> {
  const { password } = options;
  const { pageCount } = await inspectPdf(data, { password });
  if (pageCount > options.maxPages) {
    throw tooManyPages(pageCount, options.maxPages);
  }
  let pages: PositionedPage[] = [];
  for (let first = 1; first <= pageCount; first += READ_PAGES_PER_REQUEST) {
    pages.push(...(await extractPages(data, first, Math.min(pageCount, first + READ_PAGES_PER_REQUEST - 1), { password })));
  }
  const textless = pages.filter((p) => !p.hasText).map((p) => p.page);
  if (textless.length > 0 && options.ocr) {
    if (textless.length > options.ocr.maxPages) throw tooManyScannedPages(textless.length, options.ocr.maxPages);
    const engine = createOcr(options.ocr);
    try {
      pages = withOcrPages(pages, await engine.ocrPages(data, textless, (done) => options.onOcrPage?.(done, textless.length), undefined, password));
    } finally {
      await engine.close();
    }
  }
  return { parsed: parsePages(pages), pageCount, ocrPages: options.ocr ? textless.length : 0 };
}

/** Whether a work file holds a page OCR read: such a page carries an "ocr" key (in text, a quote would be escaped). */
export function chunkHasOcrPages(chunk: Buffer): boolean {
  return chunk.includes('"ocr":');
}

export function createParsePdfActivities(deps: ParseDeps) {
  const { db, files } = deps;
  // One pdf.js thread per process, so its limits are the process's: the worker's configuration.
  if (deps.pdfLimits) configurePdfThread(deps.pdfLimits);

  async function readUpload(fileKey: string): Promise<Buffer> {
    const data = await files.read(fileKey);
    if (!data) throw new TaskInputError(TaskErrorCodes.FILE_NOT_FOUND, 'The uploaded file is no longer available');
    return data;
  }

  /** The password sent with the task's upload, if one was (db/upload-secrets.ts). */
  async function passwordOf(taskId: string): Promise<string | undefined> {
    if (!deps.secrets) return undefined;
    try {
      return await readUploadPassword(db, deps.secrets, taskId);
    } catch (err) {
      if (!(err instanceof SecretUnreadableError)) throw err;
      // Sealed under another FILE_SECRET_KEY: no retry can open it.
      throw new TaskInputError(
        TaskErrorCodes.PDF_ENCRYPTED,
        'The password sent with the upload can no longer be read. Upload the statement again with its password in the "password" field.',
      );
    }
  }

  /**
   * OCR_MAX_PAGES over the whole document, counted once per parse: the first chunk that
   * finds scanned pages counts the others (stopping once over the limit), and keeps a count
   * within the limit as a work file, which later chunks, on whichever worker, read instead
   * of counting again. Over the limit, the parse fails there and then.
   */
  async function checkScannedPages(
    input: { taskId: string; userId: string },
    data: Uint8Array,
    chunk: { first: number; last: number; textless: number },
    pageCount: number,
    max: number,
    read: { signal: AbortSignal; password?: string },
  ): Promise<void> {
    const key = scannedCountKey(input.taskId);
    if (await files.stat(key)) return;
    const { scanned, complete } = await scannedPageCount(data, chunk, pageCount, { max, ...read });
    if (scanned > max) throw tooManyScannedPages(scanned, max, complete);
    await files.put(
      { fileKey: key, userId: input.userId, kind: 'work', filename: key, contentType: 'application/json' },
      Buffer.from(JSON.stringify({ scanned })),
    );
  }

  /** Saves a parsed statement as the task's session, in one transaction, and describes it for the task's result. */
  async function save(input: Omit<NewSession, 'sha256'>, parsed: ParsedStatement): Promise<ParseStatementResult> {
    await refineProgress(db, input.taskId, 70, `Saving ${parsed.transactions.length} transactions...`);
    const upload = await files.stat(input.fileKey);
    await saveStatement(db, { ...input, sha256: upload?.sha256 ?? null }, parsed, () => heartbeat());
    const overlaps = await overlappingSessions(db, input.userId, input.sessionId);
    return {
      status: 'success',
      session_id: input.sessionId,
      transaction_count: parsed.transactions.length,
      bank_source: parsed.bankSource,
      warnings: parsed.warnings.slice(0, MAX_LISTED),
      skipped_rows: parsed.skippedRows.slice(0, MAX_LISTED),
      warnings_total: parsed.warnings.length,
      skipped_rows_total: parsed.skippedRows.length,
      opening_balance: centsToNumber(parsed.openingBalanceCents),
      closing_balance: centsToNumber(parsed.closingBalanceCents),
      period_start: parsed.periodStart,
      period_end: parsed.periodEnd,
      reconciled: parsed.reconciled,
      review_required: !parsed.reconciled,
      review: reviewBrief(parsed),
      overlaps,
    };
  }

  return {
    inspectStatement: taskActivity(db, async (input: { taskId: string; fileKey: string }) => {
      const signal = Context.current().cancellationSignal;
      const password = await passwordOf(input.taskId);
      const { pageCount } = await inspectPdf(new Uint8Array(await readUpload(input.fileKey)), { signal, password });
      if (pageCount > deps.maxPages) {
        throw tooManyPages(pageCount, deps.maxPages);
      }
      return { pageCount };
    }),

    extractPageChunk: taskActivity(
      db,
      async (input: { taskId: string; userId: string; fileKey: string; firstPage: number; lastPage: number; pageCount?: number }) => {
        // A cancel (the user's, the soft time limit's, or the activity timing out) stops the
        // pdf.js work under way, not just the next step.
        const signal = Context.current().cancellationSignal;
        const data = new Uint8Array(await readUpload(input.fileKey));
        const password = await passwordOf(input.taskId);
        // The work file is the thread's JSON as it is: rebuilt as objects only when OCR fills pages in.
        const extracted = await extractPagesText(data, input.firstPage, input.lastPage, { signal, keepOpenAs: input.fileKey, password });
        const { textless } = extracted;
        let json = extracted.json;
        if (textless.length > 0 && deps.ocrPages) {
          // From the inspect step; workflows started before it was passed ask the PDF again.
          const pageCount = input.pageCount ?? (await inspectPdf(data, { signal, password })).pageCount;
          // Counting the document's other scanned pages re-reads them: only when it could matter.
          if (deps.ocrMaxPages !== undefined && pageCount > deps.ocrMaxPages) {
            const chunk = { first: input.firstPage, last: input.lastPage, textless: textless.length };
            await checkScannedPages(input, data, chunk, pageCount, deps.ocrMaxPages, { signal, password });
          }
          const pages = JSON.parse(json) as PositionedPage[];
          // Per-page progress inside the chunk (the workflow moves it per chunk).
          const before = input.firstPage - 1 + (pages.length - textless.length);
          const read = await deps.ocrPages(data, textless, (done) => {
            heartbeat({ ocrPagesDone: done });
            const percent = 5 + (60 * (before + done)) / Math.max(1, pageCount);
            // Pages are read in order; name the page by its number in the document, since a
            // chunk may hold a single page ("page 1 of 1" would tell the user nothing).
            const message = `Reading scanned page ${textless[done - 1]} of ${pageCount} (OCR)`;
            void refineProgress(db, input.taskId, percent, message).catch(() => undefined);
          }, signal, password);
          json = JSON.stringify(withOcrPages(pages, read));
        }
        heartbeat();
        const key = workFileKey(input.taskId, input.firstPage, input.lastPage);
        await files.put(
          { fileKey: key, userId: input.userId, kind: 'work', filename: `${key}`, contentType: 'application/json' },
          Buffer.from(json),
        );
        return { workKey: key, textlessPages: textless.length };
      },
    ),

    /**
     * The fast path: a statement of at most `maxPages` pages read, parsed and saved in this
     * one activity, the document opened once. Longer statements, and statements with
     * scanned pages when OCR is on (whose pages are read one chunk at a time, each chunk
     * kept), answer `chunked` with the page count, having saved nothing: the workflow then
     * extracts them in chunks. A retry starts over; the save replaces what an earlier
     * attempt may have written.
     */
    parseWholeStatement: taskActivity(
      db,
      async (input: Omit<NewSession, 'sha256'> & { maxPages: number }): Promise<WholeStatementOutcome> => {
        const signal = Context.current().cancellationSignal;
        const data = new Uint8Array(await readUpload(input.fileKey));
        const password = await passwordOf(input.taskId);
        // Kept open when too long to read here: the chunks that follow, on this worker, use it.
        const { pageCount, pages } = await extractWholePdf(data, Math.min(input.maxPages, deps.maxPages), { signal, keepOpenAs: input.fileKey, password });
        if (pageCount > deps.maxPages) throw tooManyPages(pageCount, deps.maxPages);
        if (!pages || (deps.ocrPages && pages.some((p) => !p.hasText))) return { kind: 'chunked', pageCount };
        heartbeat();
        await refineProgress(db, input.taskId, 40, `Parsing ${pageCount} page${pageCount === 1 ? '' : 's'}...`);
        const parsed = await parseStatementYielding(
          () => [...pages].sort((a, b) => a.page - b.page),
          () => {
            heartbeat();
            signal.throwIfAborted();
          },
          { keepLines: true }, // a short statement, held whole
        );
        // The password stays until the task's terminal write (finishTask) deletes it: a
        // worker that dies between this save and its answer leaves a retry that can still
        // open the file.
        const result = await save(input, parsed);
        return { kind: 'saved', result };
      },
    ),

    parseAndSaveStatement: taskActivity(
      db,
      async (input: Omit<NewSession, 'sha256'> & { workKeys: string[] }): Promise<ParseStatementResult> => {
        // This step needs no pdf.js: give the thread's memory back (if no other task on
        // this worker is using it) before reading the statement.
        await releasePdfThreadIfIdle();
        const chunks: Buffer[] = [];
        for (const key of input.workKeys) {
          const buf = await files.read(key);
          if (!buf) throw new Error(`work file ${key} is missing; the extraction step must run again`);
          chunks.push(buf);
          heartbeat();
        }
        const parsed = await parseChunksInActivity(chunks, () => {
          heartbeat();
          Context.current().cancellationSignal.throwIfAborted();
        });
        return save(input, parsed);
      },
    ),

    /**
     * Cleanup after success, failure or cancel: work files and the upload's password always
     * go; a failed session keeps no rows.
     */
    discardParseWork: async (input: { taskId: string; sessionId: string; failed: boolean }): Promise<void> => {
      await files.deleteWorkFiles(input.taskId);
      await deleteUploadPassword(db, input.taskId);
      if (input.failed) await discardParse(db, input.taskId, input.sessionId);
    },
  };
}

