/**
 * POST /reports/generate_async?session_id=&report_type=&include_vat=true, with an optional
 * callback_url and callback_secret in the query string or a JSON body (where a secret stays
 * out of URLs). `session_ids=a,b,...` instead of `session_id` joins statements of one
 * account into one report, each transaction once (docs/exports.md).
 */
import Router from '@koa/router';
import { BadRequestError, ValidationError } from '../../contract/errors';
import { MAX_REPORT_SESSIONS, REPORT_TYPES, SUBMITTED_MESSAGES, type ReportType } from '../../contract/tasks';
import { sessionsForReport, type SessionRecord } from '../../db/sessions';
import type { Knex } from 'knex';
import { boolParam, uuidParam } from '../params';
import { findReadySession } from '../sessions';
import { readIdempotencyKey, submitTask, type SubmitDeps } from '../task-submission';
import { readCallbackFields, splitCallbackFields, withoutCallbackSecret } from '../callback-fields';

export function generateReportRoutes(deps: SubmitDeps): Router {
  const router = new Router();
  router.post('/reports/generate_async', async (ctx) => {
    const reportType = (ctx.query.report_type ?? 'excel') as string;
    if (!(REPORT_TYPES as readonly string[]).includes(reportType)) {
      throw new ValidationError(`report_type must be one of ${REPORT_TYPES.join(', ')}`, 'UNSUPPORTED_REPORT_TYPE');
    }
    const includeVat = boolParam(ctx.query.include_vat, 'include_vat', true);
    const { fields } = splitCallbackFields(ctx.request.body);
    const callback = readCallbackFields({ ...ctx.query, ...fields }, deps.config);
    const userId: string = ctx.state.userId;
    const ids = readSessionIds(ctx.query.session_id, ctx.query.session_ids);
    const sessions = await readySessionsOfOneAccount(deps.db, userId, ids);
    const sessionId = sessions[0].id;
    const sessionIds = ids.length > 1 ? sessions.map((s) => s.id) : undefined;
    const { taskId } = await submitTask(deps, {
      userId,
      taskName: 'generate_report_async',
      idempotencyKey: readIdempotencyKey(ctx.get('Idempotency-Key') || undefined),
      request: { method: ctx.method, path: ctx.path, params: withoutCallbackSecret({ query: ctx.query, ...(callback ? { callback: fields } : {}) }) },
      callback,
      params: { session_id: sessionId, ...(sessionIds ? { session_ids: sessionIds } : {}), report_type: reportType, include_vat: includeVat },
      memo: { session_id: sessionId, report_type: reportType, file_name: sessions[0].file_name },
      input: { sessionId, ...(sessionIds ? { sessionIds } : {}), reportType: reportType as ReportType, includeVat },
    });
    ctx.status = 202;
    ctx.body = { task_id: taskId, status: 'submitted', message: SUBMITTED_MESSAGES.generate_report_async };
  });
  return router;
}

/** `session_id`, or `session_ids` (comma-separated, or repeated): distinct, lower-cased UUIDs. */
function readSessionIds(one: unknown, many: unknown): string[] {
  if (many === undefined || many === '') return [uuidParam(one, 'session_id')];
  if (one !== undefined && one !== '') throw new BadRequestError('Give session_id or session_ids, not both');
  const parts = (Array.isArray(many) ? many : [many]).flatMap((v) => String(v).split(',')).map((v) => v.trim());
  const ids = [...new Set(parts.map((v) => uuidParam(v, 'session_ids')))];
  if (ids.length > MAX_REPORT_SESSIONS) {
    throw new ValidationError(`session_ids may name at most ${MAX_REPORT_SESSIONS} sessions, got ${ids.length}`, 'TOO_MANY_SESSIONS');
  }
  return ids;
}

/**
 * The caller's READY sessions, in period order: 404 for one that is not theirs, 409 for
 * one not ready (as for a single session), and 422 unless several are statements of one
 * account the parser recognised.
 */
async function readySessionsOfOneAccount(db: Knex, userId: string, ids: string[]): Promise<SessionRecord[]> {
  const found: SessionRecord[] = [];
  for (const id of ids) found.push(await findReadySession(db, userId, id));
  if (found.length === 1) return found;
  if (found.some((s) => s.account_key === null)) {
    throw new ValidationError('A session names no account number, so it cannot be joined with others: report it alone', 'SESSION_ACCOUNT_UNKNOWN');
  }
  if (new Set(found.map((s) => s.account_key)).size > 1) {
    throw new ValidationError('The sessions are statements of different accounts; a report joins statements of one account', 'SESSIONS_NOT_ONE_ACCOUNT');
  }
  return sessionsForReport(db, userId, ids);
}
