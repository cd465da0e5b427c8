/**
 * pdf.js warmed up before a pdf_processing worker polls. A fresh process reads its first
 * statement with a pdf.js thread not yet started and pdf.js code V8 has not compiled: a
 * 4-page statement then takes 0.4-0.7 s against ~35 ms later, and a long statement's probe
 * and first chunk run at a third to half speed (bench/RESULTS.md). So the worker first
 * reads one statement, generated with invented content (assets/warm-up-statement.pdf,
 * written by scripts/make-warm-up-statement.ts), on the pdf.js thread short statements are
 * read on: that thread then stays warm (its heap is small, thread.ts). It is not parsed:
 * a parse beforehand did not make the first real parse faster (measured). A warm-up that
 * fails is logged and the worker polls all the same: it is only speed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { extractWholePdf } from '../domain/statements';
import type { Logger } from '../platform/logger';

export const WARM_UP_STATEMENT = path.join(__dirname, 'assets', 'warm-up-statement.pdf');

/** More pages than the warm-up statement has: it is read in one request, as a short statement is. */
const WARM_UP_MAX_PAGES = 100;

/** Reads the warm-up statement's text (or `file`'s); how many pages it read, or null when it could not. */
export async function warmUpStatementReading(logger: Logger, file = WARM_UP_STATEMENT): Promise<{ pages: number } | null> {
  const started = performance.now();
  try {
    const data = new Uint8Array(await fs.readFile(file));
    const { pageCount, pages } = await extractWholePdf(data, WARM_UP_MAX_PAGES);
    if (!pages) throw new Error(`it has ${pageCount} pages, more than ${WARM_UP_MAX_PAGES}`);
    logger.info('statement reading warmed up', { pages: pageCount, ms: Math.round(performance.now() - started) });
    return { pages: pageCount };
  } catch (err) {
    logger.warn('statement reading not warmed up: the first statements will be read slower', { reason: (err as Error).message });
    return null;
  }
}
