/**
 * parsePdf. A short statement (PDF_FAST_PATH_MAX_PAGES) is read, parsed and saved in one
 * activity: opened once, with no round trip per step. A longer one, or a scan for OCR, is
 * inspected, extracted in chunks (progress and a durable work file per chunk), then
 * parsed, validated and saved in one step. Page text travels through the file store by
 * key, never through history.
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
    const workKeys: string[] = [];
    for (let first = 1; first <= pageCount; first += chunk) {
      const last = Math.min(pageCount, first + chunk - 1);
      const { workKey } = await acts.extractPageChunk({ taskId: input.taskId, userId: input.userId, fileKey: input.fileKey, firstPage: first, lastPage: last, pageCount });
      workKeys.push(workKey);
      await run.progress(5 + (60 * last) / pageCount, `Extracted page ${last} of ${pageCount}`);
    }
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
