/**
 * GET /accounts and GET /accounts/:id/continuity: the caller's statements grouped by the
 * account they print (its hashed key is the account's id), and whether they follow on from
 * each other — periods without gaps, each opening balance the closing balance before it.
 */
import Router from '@koa/router';
import type { Knex } from 'knex';
import { NotFoundError } from '../../contract/errors';
import { decimalStringToCents } from '../../domain/money';
import { continuityLinks, inStatementOrder } from '../../domain/statements/continuity';
import { listAccountsOfUser, sessionsOfAccount, sharedTransactionCount, type SessionRecord } from '../../db/sessions';
import { isoDay } from '../json-values';

const ACCOUNT_ID = /^[0-9a-f]{32}$/;
const cents = (v: string | null) => (v === null ? null : decimalStringToCents(v));
const rand = (c: number | null) => (c === null ? null : c / 100);

export function accountRoutes(deps: { db: Knex }): Router {
  const router = new Router();

  router.get('/accounts', async (ctx) => {
    const rows = await listAccountsOfUser(deps.db, ctx.state.userId);
    ctx.body = {
      accounts: rows.map((a) => ({
        account_id: a.account_key,
        bank_source: a.bank_source,
        account: a.account_mask,
        session_count: a.session_count,
        period_start: isoDay(a.period_start),
        period_end: isoDay(a.period_end),
      })),
    };
  });

  router.get('/accounts/:id/continuity', async (ctx) => {
    const id = String(ctx.params.id).toLowerCase();
    const found = ACCOUNT_ID.test(id) ? await sessionsOfAccount(deps.db, ctx.state.userId, id) : [];
    if (found.length === 0) throw new NotFoundError('Account not found', 'ACCOUNT_NOT_FOUND');
    const byId = new Map<string, SessionRecord>(found.map((s) => [s.id, s]));
    const ordered = inStatementOrder(
      found.map((s) => ({
        sessionId: s.id,
        periodStart: isoDay(s.period_start),
        periodEnd: isoDay(s.period_end),
        openingCents: cents(s.opening_balance),
        closingCents: cents(s.closing_balance),
      })),
    );
    const links = continuityLinks(ordered);
    // Overlapping statements (or one uploaded twice) share rows: say how many, so an export of both takes each once.
    const shared = await Promise.all(links.map((l) => (l.dates === 'overlap' ? sharedTransactionCount(deps.db, l.from, l.to) : Promise.resolve(0))));
    const problems = links.filter((l) => l.dates === 'gap' || l.balances === 'mismatch').length;
    ctx.body = {
      account_id: id,
      bank_source: found[0].bank_source,
      account: found[0].account_mask,
      continuous: problems === 0 && links.every((l) => l.dates !== 'unknown' && l.balances !== 'unknown'),
      problems,
      sessions: ordered.map((o) => {
        const s = byId.get(o.sessionId)!;
        return {
          session_id: s.id,
          file_name: s.file_name,
          period_start: o.periodStart,
          period_end: o.periodEnd,
          opening_balance: rand(o.openingCents),
          closing_balance: rand(o.closingCents),
          transaction_count: s.transaction_count,
        };
      }),
      links: links.map((l, i) => ({
        from_session_id: l.from,
        to_session_id: l.to,
        dates: l.dates,
        gap_days: l.gapDays,
        overlap_days: l.overlapDays,
        shared_transactions: shared[i],
        balances: l.balances,
        difference: rand(l.differenceCents),
      })),
    };
  });
  return router;
}
