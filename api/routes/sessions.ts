/** GET /sessions, GET /sessions/:id, GET /sessions/:id/transactions and DELETE /sessions/:id: the caller's parsed statements. */
import Router from '@koa/router';
import type { Knex } from 'knex';
import { listSessionsOfUser, rowsAtPositions, transactionsPage, type SessionRecord } from '../../db/sessions';
import { rowsByIds } from '../../db/corrections';
import { intParam } from '../params';
import { deleteOwnSession, findOwnSession } from '../sessions';
import { etagOf } from './corrections';
import { decimalOrNull, isoDay } from '../json-values';


function sessionBody(s: SessionRecord) {
  return {
    session_id: s.id,
    status: s.status,
    bank_source: s.bank_source,
    client_id: s.client_id,
    file_name: s.file_name,
    transaction_count: s.transaction_count,
    period_start: isoDay(s.period_start),
    period_end: isoDay(s.period_end),
    opening_balance: decimalOrNull(s.opening_balance),
    closing_balance: decimalOrNull(s.closing_balance),
    reconciled: s.reconciled,
    // Proven: every check the statement allows held. Otherwise a person must review it (GET /sessions/{id}/review).
    proven: s.reconciled === true,
    review_required: s.status === 'READY' && s.reconciled !== true,
    account: s.account_mask,
    // The ETag's number: a correction of the rows sends it back in If-Match and bumps it.
    version: s.version,
    corrected: s.corrected,
    created_at: new Date(s.created_at).toISOString(),
  };
}

export function sessionRoutes(deps: { db: Knex }): Router {
  const router = new Router();

  router.get('/sessions', async (ctx) => {
    const limit = intParam(ctx.query.limit, 'limit', { min: 1, max: 200, fallback: 50 });
    const offset = intParam(ctx.query.offset, 'offset', { min: 0, max: 1_000_000, fallback: 0 });
    const rows = await listSessionsOfUser(deps.db, ctx.state.userId, { limit, offset });
    ctx.body = { sessions: rows.map(sessionBody), limit, offset };
  });

  router.get('/sessions/:id', async (ctx) => {
    const s = await findOwnSession(deps.db, ctx.state.userId, ctx.params.id);
    ctx.set('ETag', etagOf(s.version));
    ctx.body = sessionBody(s);
  });

  router.delete('/sessions/:id', async (ctx) => {
    const sessionId = await deleteOwnSession(deps.db, ctx.state.userId, ctx.params.id);
    ctx.body = { message: 'Session deleted', session_id: sessionId };
  });

  router.get('/sessions/:id/review', async (ctx) => {
    const s = await findOwnSession(deps.db, ctx.state.userId, ctx.params.id);
    const review = s.review;
    const problems = review?.problems ?? [];
    // A recheck after a correction names its rows; a parse's problems are at a page and line.
    const [rows, byId] = await Promise.all([
      rowsAtPositions(deps.db, s.id, problems.filter((p) => p.transactionId === undefined && p.line > 0)),
      rowsByIds(deps.db, s.id, problems.flatMap((p) => (p.transactionId === undefined ? [] : [p.transactionId]))),
    ]);
    const rowAt = new Map(rows.map((r) => [`${r.page}:${r.line}`, r]));
    const rowWithId = new Map(byId.map((r) => [Number(r.id), r]));
    ctx.set('ETag', etagOf(s.version));
    ctx.body = {
      session_id: s.id,
      version: s.version,
      corrected: s.corrected,
      proven: s.reconciled === true,
      review_required: s.status === 'READY' && s.reconciled !== true,
      counts: review?.counts ?? {},
      unexplained: review?.unexplainedCents == null ? null : review.unexplainedCents / 100,
      problems: problems.map((p) => {
        const r = p.transactionId === undefined ? rowAt.get(`${p.page}:${p.line}`) : rowWithId.get(p.transactionId);
        return {
          page: p.page,
          line: p.line,
          kind: p.kind,
          code: p.code,
          message: p.message,
          // The text the parser saw there: the row it read, or the line it could not read.
          text: r?.raw_text ?? p.text ?? null,
          transaction: r ? { id: Number(r.id), fitid: r.fitid, date: r.date, description: r.description, amount: Number(r.amount), balance: decimalOrNull(r.balance) } : null,
        };
      }),
    };
  });

  router.get('/sessions/:id/transactions', async (ctx) => {
    const s = await findOwnSession(deps.db, ctx.state.userId, ctx.params.id);
    const limit = intParam(ctx.query.limit, 'limit', { min: 1, max: 10000, fallback: 1000 });
    const offset = intParam(ctx.query.offset, 'offset', { min: 0, max: 100_000_000, fallback: 0 });
    const rows = await transactionsPage(deps.db, s.id, { limit, offset });
    ctx.set('ETag', etagOf(s.version));
    ctx.body = {
      session_id: s.id,
      version: s.version,
      bank_source: s.bank_source,
      status: s.status,
      total: s.transaction_count,
      limit,
      offset,
      transactions: rows.map((r) => ({
        id: Number(r.id),
        fitid: r.fitid,
        date: r.date,
        description: r.description,
        amount: Number(r.amount),
        balance: decimalOrNull(r.balance),
        category: r.category,
      })),
    };
  });
  return router;
}
