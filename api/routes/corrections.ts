/**
 * Corrections of a statement's rows by its owner: PATCH, POST and DELETE of
 * /sessions/{id}/transactions, each guarded by If-Match: "v<version>" and answered with the
 * statement's new proof; GET /sessions/{id}/audit lists them. The body checks live here,
 * the transaction in db/corrections.ts.
 */
import Router, { type RouterContext } from '@koa/router';
import { AppError, BadRequestError, ConflictError, NotFoundError, ValidationError } from '../../contract/errors';
import { applyCorrection, correctionsOfSession, type Correction, type CorrectedSession, type RowFields } from '../../db/corrections';
import { fitsAmountColumn } from '../../domain/money';
import type { AppDeps } from '../app';
import { findOwnSession } from '../sessions';

export const MAX_DESCRIPTION = 500;
const ROW_KEYS = ['date', 'description', 'amount', 'balance'] as const;

/** The ETag of a session's version: what every change must send back in If-Match. */
export const etagOf = (version: number) => `"v${version}"`;

function expectedVersion(ctx: RouterContext): number {
  const header = ctx.get('If-Match').trim();
  if (header === '') {
    throw new AppError(428, 'PRECONDITION_REQUIRED', 'Send If-Match with the ETag of the session (as GET /sessions/{id} answers it), so a change cannot overwrite one made meanwhile');
  }
  const m = /^"v(\d{1,9})"$/.exec(header);
  if (!m) throw new BadRequestError('If-Match must be the session ETag, e.g. "v3"', 'INVALID_IF_MATCH');
  return Number(m[1]);
}

function bodyObject(ctx: RouterContext, allowed: readonly string[]): Record<string, unknown> {
  const body = ctx.request.body as unknown;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestError(`The body must be a JSON object with any of ${allowed.join(', ')}`, 'INVALID_BODY');
  }
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new BadRequestError(`Unknown field ${JSON.stringify(unknown[0].slice(0, 40))}; allowed: ${allowed.join(', ')}`, 'UNKNOWN_FIELD', { field: unknown[0].slice(0, 40) });
  }
  return body as Record<string, unknown>;
}

function readDate(v: unknown): string {
  const m = typeof v === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) : null;
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  // Date.UTC rolls 2024-02-30 over into March: a real date reads back the same.
  if (!m || !d || d.toISOString().slice(0, 10) !== v || Number(m[1]) < 1900) {
    throw new ValidationError('date must be a real date, YYYY-MM-DD (from 1900)', 'INVALID_DATE');
  }
  return v as string;
}

function readDescription(v: unknown): string {
  // eslint-disable-next-line no-control-regex
  if (typeof v !== 'string' || v.trim() === '' || /[\u0000-\u001f\u007f]/.test(v)) {
    throw new ValidationError('description must be text on one line, not empty', 'INVALID_DESCRIPTION');
  }
  if (v.length > MAX_DESCRIPTION) throw new ValidationError(`description must be at most ${MAX_DESCRIPTION} characters`, 'DESCRIPTION_TOO_LONG');
  return v.trim();
}

function readCents(v: unknown, name: 'amount' | 'balance'): number {
  const code = name === 'amount' ? 'INVALID_AMOUNT' : 'INVALID_BALANCE';
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValidationError(`${name} must be a number of rand, e.g. -120.50`, code);
  const cents = Math.round(v * 100);
  if (!fitsAmountColumn(cents)) throw new ValidationError(`${name} must be at most R 999 999 999 999.99 either way`, 'AMOUNT_OUT_OF_RANGE', { field: name });
  if (Math.abs(v * 100 - cents) > 1e-6) throw new ValidationError(`${name} must have at most two decimals (cents)`, code);
  return cents;
}

function readFields(body: Record<string, unknown>): Partial<RowFields> {
  const f: Partial<RowFields> = {};
  if (body.date !== undefined) f.date = readDate(body.date);
  if (body.description !== undefined) f.description = readDescription(body.description);
  if (body.amount !== undefined) f.amountCents = readCents(body.amount, 'amount');
  if (body.balance !== undefined) f.balanceCents = body.balance === null ? null : readCents(body.balance, 'balance');
  return f;
}

function readAfter(v: unknown): number | null {
  if (v === null) return null;
  if (v === undefined) throw new ValidationError('after is required: the id of the row the new one follows, or null for a new first row', 'MISSING_FIELD', { field: 'after' });
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new ValidationError('after must be a transaction id or null', 'INVALID_AFTER');
  return v;
}

/** A transaction id in the path: anything but a positive whole number names no row. */
function transactionIdParam(v: string): number {
  const n = /^\d{1,15}$/.test(v) ? Number(v) : 0;
  if (n < 1) throw new NotFoundError('Transaction not found', 'TRANSACTION_NOT_FOUND');
  return n;
}

const money = (c: number | null) => (c === null ? null : c / 100);

function answer(s: CorrectedSession) {
  return {
    session_id: s.sessionId,
    version: s.version,
    proven: s.proven,
    review_required: !s.proven,
    corrected: s.corrected,
    review: {
      counts: s.review?.counts ?? {},
      unexplained: money(s.review?.unexplainedCents ?? null),
      problems: (s.review?.problems ?? []).map((p) => ({
        page: p.page,
        line: p.line,
        kind: p.kind,
        code: p.code,
        message: p.message,
        transaction_id: p.transactionId ?? null,
      })),
    },
    transaction: s.transaction,
  };
}

export function correctionRoutes(deps: AppDeps): Router {
  const router = new Router();

  async function correct(ctx: RouterContext, build: () => Correction): Promise<void> {
    const session = await findOwnSession(deps.db, ctx.state.userId, ctx.params.id);
    const change = build();
    const version = expectedVersion(ctx);
    const done = await applyCorrection(deps.db, { userId: ctx.state.userId, sessionId: session.id, expectedVersion: version, change });
    switch (done.outcome) {
      case 'not_found':
        throw new NotFoundError('Session not found', 'SESSION_NOT_FOUND');
      case 'not_ready':
        throw new ConflictError(`The session is ${done.status.toLowerCase()}, not ready`, 'SESSION_NOT_READY');
      case 'busy':
        throw new ConflictError('A task is still running on this session; wait for it to finish or cancel it with DELETE /tasks/{task_id}', 'SESSION_BUSY', {
          task_id: done.taskId,
          task_name: done.taskName,
        });
      case 'version_mismatch':
        throw new AppError(412, 'VERSION_MISMATCH', 'The statement was changed since you read it; read it again and redo the change', {
          current_version: done.currentVersion,
          etag: etagOf(done.currentVersion),
        });
      case 'transaction_not_found':
        throw new NotFoundError('Transaction not found', 'TRANSACTION_NOT_FOUND');
      case 'after_not_found':
        throw new ValidationError('after names no transaction of this session', 'AFTER_NOT_FOUND');
      case 'done':
        ctx.set('ETag', etagOf(done.session.version));
        ctx.status = change.action === 'insert' ? 201 : 200;
        ctx.body = answer(done.session);
    }
  }

  router.patch('/sessions/:id/transactions/:tx', (ctx) =>
    correct(ctx, () => {
      const fields = readFields(bodyObject(ctx, ROW_KEYS));
      if (Object.keys(fields).length === 0) throw new ValidationError(`Nothing to change: send any of ${ROW_KEYS.join(', ')}`, 'NOTHING_TO_CHANGE');
      return { action: 'update', transactionId: transactionIdParam(ctx.params.tx), fields };
    }),
  );

  router.post('/sessions/:id/transactions', (ctx) =>
    correct(ctx, () => {
      const body = bodyObject(ctx, ['after', ...ROW_KEYS]);
      for (const k of ['date', 'description', 'amount'] as const) {
        if (body[k] === undefined) throw new ValidationError(`${k} is required for a new row`, 'MISSING_FIELD', { field: k });
      }
      const after = readAfter(body.after);
      const f = readFields(body);
      return { action: 'insert', after, fields: { date: f.date!, description: f.description!, amountCents: f.amountCents!, balanceCents: f.balanceCents ?? null } };
    }),
  );

  router.delete('/sessions/:id/transactions/:tx', (ctx) => correct(ctx, () => ({ action: 'delete', transactionId: transactionIdParam(ctx.params.tx) })));

  router.get('/sessions/:id/audit', async (ctx) => {
    const session = await findOwnSession(deps.db, ctx.state.userId, ctx.params.id);
    const rows = await correctionsOfSession(deps.db, session.id);
    ctx.set('ETag', etagOf(session.version));
    ctx.body = {
      session_id: session.id,
      version: session.version,
      corrected: session.corrected,
      corrections: rows.map((r) => ({
        id: Number(r.id),
        user_id: r.user_id,
        action: r.action,
        transaction_id: Number(r.transaction_id),
        before: r.before,
        after: r.after,
        version: r.version,
        created_at: new Date(r.created_at).toISOString(),
      })),
    };
  });

  return router;
}
