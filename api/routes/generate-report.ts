/**
 * POST /reports/generate_async?session_id=&report_type=excel|csv&include_vat=true, with an
 * optional callback_url and callback_secret in the query string or a JSON body (where a
 * secret stays out of URLs).
 */
import Router from '@koa/router';
import { ValidationError } from '../../contract/errors';
import { SUBMITTED_MESSAGES, type GenerateReportInput } from '../../contract/tasks';
import { boolParam, uuidParam } from '../params';
import { findReadySession } from '../sessions';
import { readIdempotencyKey, submitTask, type SubmitDeps } from '../task-submission';
import { readCallbackFields, splitCallbackFields, withoutCallbackSecret } from '../callback-fields';

const REPORT_TYPES = ['excel', 'csv'] as const;

export function generateReportRoutes(deps: SubmitDeps): Router {
  const router = new Router();
  router.post('/reports/generate_async', async (ctx) => {
    const sessionId = uuidParam(ctx.query.session_id, 'session_id');
    const reportType = (ctx.query.report_type ?? 'excel') as string;
    if (!(REPORT_TYPES as readonly string[]).includes(reportType)) {
      throw new ValidationError(`report_type must be one of ${REPORT_TYPES.join(', ')}`, 'UNSUPPORTED_REPORT_TYPE');
    }
    const includeVat = boolParam(ctx.query.include_vat, 'include_vat', true);
    const { fields } = splitCallbackFields(ctx.request.body);
    const callback = readCallbackFields({ ...ctx.query, ...fields }, deps.config);
    const userId: string = ctx.state.userId;
    const session = await findReadySession(deps.db, userId, sessionId);
    const { taskId } = await submitTask(deps, {
      userId,
      taskName: 'generate_report_async',
      idempotencyKey: readIdempotencyKey(ctx.get('Idempotency-Key') || undefined),
      request: { method: ctx.method, path: ctx.path, params: withoutCallbackSecret({ query: ctx.query, ...(callback ? { callback: fields } : {}) }) },
      callback,
      params: { session_id: sessionId, report_type: reportType, include_vat: includeVat },
      memo: { session_id: sessionId, report_type: reportType, file_name: session.file_name },
      input: { sessionId, reportType: reportType as GenerateReportInput['reportType'], includeVat },
    });
    ctx.status = 202;
    ctx.body = { task_id: taskId, status: 'submitted', message: SUBMITTED_MESSAGES.generate_report_async };
  });
  return router;
}
