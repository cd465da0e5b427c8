/**
 * Statement reading warmed up before a pdf_processing worker polls. A fresh process reads
 * its first statements with a pdf.js thread not yet started and code V8 has not compiled:
 * a 4-page statement then takes 0.4-0.7 s against ~35 ms later, and a long statement's
 * first chunk and parse run at half speed (bench/RESULTS.md). So the worker reads and
 * parses one statement first, generated with invented content (assets/warm-up-statement.pdf,
 * written by scripts/make-warm-up-statement.ts), on the pdf.js thread short statements are
 * read on: that thread then stays warm (its heap is small, thread.ts). Nothing is saved.
 * A warm-up that fails is logged and the worker polls all the same: it is only speed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { extractWholePdf, parseStatement } from '../domain/statements';
import type { Logger } from '../platform/logger';

export const WARM_UP_STATEMENT = path.join(__dirname, 'assets', 'warm-up-statement.pdf');

/** More pages than the warm-up statement has: it is read in one request, as a short statement is. */
const WARM_UP_MAX_PAGES = 100;

/** Reads and parses the warm-up statement (or `file`); what it read, or null when it could not. */
export async function warmUpStatementReading(logger: Logger, file = WARM_UP_STATEMENT): Promise<{ pages: number; rows: number } | null> {
  const started = performance.now();
  try {
    const data = new Uint8Array(await fs.readFile(file));
    const { pageCount, pages } = await extractWholePdf(data, WARM_UP_MAX_PAGES);
    if (!pages) throw new Error(`it has ${pageCount} pages, more than ${WARM_UP_MAX_PAGES}`);
    const parsed = parseStatement(pages);
    logger.info('statement reading warmed up', { pages: pageCount, rows: parsed.transactions.length, ms: Math.round(performance.now() - started) });
    return { pages: pageCount, rows: parsed.transactions.length };
  } catch (err) {
    logger.warn('statement reading not warmed up: the first statements will be read slower', { reason: (err as Error).message });
    return null;
  }
}
