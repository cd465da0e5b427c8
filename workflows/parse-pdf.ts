/**
 * parsePdf. A short statement (PDF_FAST_PATH_MAX_PAGES) is read, parsed and saved in one
 * activity: opened once, with no round trip per step. A longer one, or a scan for OCR, is
 * inspected, extracted in chunks (progress and a durable work file per chunk; several at
 * once, each on a pdf.js thread of the worker's), then parsed, validated and saved in one
 * step. Page text travels through the file store by key, never through history.
 */
import { CancellationScope, patched, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { createParsePdfActivities, ParseStatementResult } from '../activities/parse-pdf';
import type { ParsePdfInput } from '../contract/tasks';
import { SEARCH_ATTRIBUTE_KEYS } from '../contract/search-attributes';
import { activityOptions, TaskRun } from './task-run';

type ParseActivities = ReturnType<typeof createParsePdfActivities>;

/** The fast path's page limit for inputs that do not name one (started before it was configurable). */
const DEFAULT_FAST_PATH_MAX_PAGES = 20;

export async function parsePdf(input: ParsePdfInput) {
  const run = new TaskRun(input);
  const acts = proxyActivities<ParseActivities>(activityOptions(input.settings));
  let failed = true;
  const session = {
    taskId: input.taskId,
    userId: input.userId,
    sessionId: input.sessionId,
    clientId: input.clientId,
    fileKey: input.fileKey,
    fileName: input.fileName,
  };

  // Before the work files are discarded, as recorded histories have it.
  const tagBank = (result: ParseStatementResult) => upsertSearchAttributes([{ key: SEARCH_ATTRIBUTE_KEYS.BankSource, value: result.bank_source }]);

  /** Inspect, extract chunk by chunk, then parse and save: for statements past the fast path. */
  const chunked = async (known?: number): Promise<ParseStatementResult> => {
    const pageCount = known ?? (await acts.inspectStatement({ taskId: input.taskId, fileKey: input.fileKey })).pageCount;
    // At least ~10 extraction steps, so progress moves on short statements too. Behind a
    // patch marker: workflows started before this change replay with their old chunking.
    const chunk = patched('adaptive-page-chunks')
      ? Math.max(1, Math.min(input.pagesPerChunk, Math.ceil(pageCount / 10)))
      : Math.max(1, input.pagesPerChunk);
    const ranges: [first: number, last: number][] = [];
    for (let first = 1; first <= pageCount; first += chunk) ranges.push([first, Math.min(pageCount, first + chunk - 1)]);
    const extract = ([first, last]: [number, number]) =>
      acts.extractPageChunk({ taskId: input.taskId, userId: input.userId, fileKey: input.fileKey, firstPage: first, lastPage: last, pageCount });
    // Chunks side by side (chunksAtOnce), read on the worker's pdf.js threads. Behind a patch marker:
    // workflows started before this change replay with their chunks one at a time (one
    // lane: the same steps in the same order as the loop they recorded).
    const atOnce = patched('parallel-page-chunks') ? Math.max(1, input.chunksAtOnce ?? 1) : 1;
    const workKeys: string[] = [];
    let next = 0;
    let pagesDone = 0;
    let failure: { error: unknown } | undefined;
    const lane = async () => {
      while (next < ranges.length && !failure) {
        const at = next++;
        try {
          workKeys[at] = (await extract(ranges[at])).workKey;
        } catch (error) {
          failure ??= { error };
          return;
        }
        pagesDone += ranges[at][1] - ranges[at][0] + 1;
        await run.progress(5 + (60 * pagesDone) / pageCount, `Extracted page ${pagesDone} of ${pageCount}`);
      }
    };
    // A failed chunk stops the others from starting more; the one under way is awaited, so
    // its work file exists before the cleanup deletes the task's work files.
    await Promise.all(Array.from({ length: Math.min(atOnce, ranges.length) }, lane));
    if (failure) throw failure.error;
    await run.progress(66, `Parsing ${pageCount} page${pageCount === 1 ? '' : 's'}...`, true);
    const result = await acts.parseAndSaveStatement({ ...session, workKeys });
    failed = false;
    tagBank(result);
    await CancellationScope.nonCancellable(() => acts.discardParseWork({ taskId: input.taskId, sessionId: input.sessionId, failed: false }));
    return result;
  };

  return run.run(
    async () => {
      await run.progress(2, 'Reading the PDF...');
      let result: ParseStatementResult;
      const fastPathMaxPages = input.fastPathMaxPages ?? DEFAULT_FAST_PATH_MAX_PAGES;
      // Workflows started before the fast path replay through the chunked steps they recorded.
      if (patched('whole-statement-fast-path') && fastPathMaxPages > 0) {
        const whole = await acts.parseWholeStatement({ ...session, maxPages: fastPathMaxPages });
        if (whole.kind === 'saved') {
          failed = false;
          result = whole.result;
          tagBank(result);
        } else {
          result = await chunked(whole.pageCount);
        }
      } else {
        result = await chunked();
      }
      return result;
    },
    {
      successMessage: 'Completed',
      cleanup: () => acts.discardParseWork({ taskId: input.taskId, sessionId: input.sessionId, failed }),
    },
  );
}
