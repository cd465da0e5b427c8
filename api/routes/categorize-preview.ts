/**
 * POST /sessions/:id/categorize/preview: what a rule set (the body of
 * POST /bulk_categorize_async) would do to the session, answered at once and without
 * writing — per rule, how many rows it would be the first to match and how many of those
 * it would change, with a sample of the changed rows. Sessions past PREVIEW_MAX_ROWS are
 * refused (422 PREVIEW_TOO_LARGE): a preview holds a request open, a run is a task.
 */
import Router from '@koa/router';
import type { Knex } from 'knex';
import { TaskInputError, ValidationError } from '../../contract/errors';
import { previewRules } from '../../db/categories';
import { compileRuleMatch, validateRuleSet } from '../../domain/rules';
import type { Config } from '../../platform/config';
import { intParam } from '../params';
import { findReadySession } from '../sessions';

const SAMPLE_DEFAULT = 5;
const SAMPLE_MAX = 50;

export function categorizePreviewRoutes(deps: { db: Knex; config: Config }): Router {
  const router = new Router();
  router.post('/sessions/:id/categorize/preview', async (ctx) => {
    const session = await findReadySession(deps.db, ctx.state.userId, ctx.params.id);
    const ruleSet = validateRuleSet(ctx.request.body, { maxRules: deps.config.rules.maxRules });
    const samplePerRule = intParam(ctx.query.sample, 'sample', { min: 0, max: SAMPLE_MAX, fallback: SAMPLE_DEFAULT });
    const limit = deps.config.rules.previewMaxRows;
    if (session.transaction_count > limit) {
      throw new ValidationError(
        `The session has ${session.transaction_count} transactions; rules are previewed on sessions of up to ${limit}. ` +
          'Run them with POST /bulk_categorize_async (each run can be undone)',
        'PREVIEW_TOO_LARGE',
      );
    }
    const match = compileRuleMatch(ruleSet);
    let rows;
    try {
      rows = await previewRules(deps.db, { sessionId: session.id, match, samplePerRule, statementTimeoutMs: deps.config.rules.statementTimeoutMs });
    } catch (err) {
      // The same refusals a run would end with, answered as the request's own error.
      if (err instanceof TaskInputError) throw new ValidationError(err.message, err.code);
      throw err;
    }
    const byRule = new Map(rows.map((r) => [r.ruleIndex, r]));
    const rules = ruleSet.rules.map((rule, i) => {
      const r = byRule.get(i);
      return {
        rule_index: i,
        category: rule.category,
        matched: r?.matched ?? 0,
        changes: r?.changes ?? 0,
        sample: (r?.sample ?? []).map((t) => ({
          id: Number(t.id),
          date: t.date,
          description: t.description,
          amount: Number(t.amount),
          balance: t.balance === null ? null : Number(t.balance),
          category_before: t.category,
          category_after: rule.category,
        })),
      };
    });
    const considered = rows.reduce((n, r) => n + r.matched, 0);
    ctx.body = {
      session_id: session.id,
      only_uncategorized: ruleSet.onlyUncategorized,
      rows_considered: considered,
      unmatched: byRule.get(null)?.matched ?? 0,
      total_changes: rules.reduce((n, r) => n + r.changes, 0),
      rules,
    };
  });
  return router;
}
