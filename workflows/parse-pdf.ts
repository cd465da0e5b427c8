/**
 * parsePdf: inspect the upload, extract its pages in chunks (progress per chunk), then
 * parse, validate and save in one step. Page text travels through the file store by key.
 */
import { CancellationScope, patched, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { createParsePdfActivities } from '../activities/parse-pdf';
import type { ParsePdfInput } from '../contract/tasks';
import { SEARCH_ATTRIBUTE_KEYS } from '../contract/search-attributes';
import { activityOptions, TaskRun } from './task-run';

type ParseActivities = ReturnType<typeof createParsePdfActivities>;

export async function parsePdf(input: ParsePdfInput) {
  const run = new TaskRun(input);
  const acts = proxyActivities<ParseActivities>(activityOptions(input.settings));
  let failed = true;

  return run.run(
    async () => {
      await run.progress(2, 'Reading the PDF...');
      const { pageCount } = await acts.inspectStatement({ taskId: input.taskId, fileKey: input.fileKey });
      // At least ~10 extraction steps, so progress moves on short statements too. Behind a
      // patch marker: workflows started before this change replay with their old chunking.
      const chunk = patched('adaptive-page-chunks')
        ? Math.max(1, Math.min(input.pagesPerChunk, Math.ceil(pageCount / 10)))
        : Math.max(1, input.pagesPerChunk);
      const workKeys: string[] = [];
      for (let first = 1; first <= pageCount; first += chunk) {
        const last = Math.min(pageCount, first + chunk - 1);
        const { workKey } = await acts.extractPageChunk({
          taskId: input.taskId,
          userId: input.userId,
          fileKey: input.fileKey,
          firstPage: first,
          lastPage: last,
          pageCount,
        });
        workKeys.push(workKey);
        await run.progress(5 + (60 * last) / pageCount, `Extracted page ${last} of ${pageCount}`);
      }
      await run.progress(66, `Parsing ${pageCount} page${pageCount === 1 ? '' : 's'}...`, true);
      const result = await acts.parseAndSaveStatement({
        taskId: input.taskId,
        userId: input.userId,
        sessionId: input.sessionId,
        clientId: input.clientId,
        fileKey: input.fileKey,
        fileName: input.fileName,
        workKeys,
      });
      failed = false;
      upsertSearchAttributes([{ key: SEARCH_ATTRIBUTE_KEYS.BankSource, value: result.bank_source }]);
      await CancellationScope.nonCancellable(() =>
        acts.discardParseWork({ taskId: input.taskId, sessionId: input.sessionId, failed: false }),
      );
      return result;
    },
    {
      successMessage: 'Completed',
      cleanup: () => acts.discardParseWork({ taskId: input.taskId, sessionId: input.sessionId, failed }),
    },
  );
}
