/**
 * The answer of a rule preview, from the rule set and the per-rule rows the database found
 * (db/categories.ts previewRules): the same body whether the preview is answered at once
 * or, for a large session, as the result of a task. Pure.
 */
import type { RuleSet } from './types';

export interface PreviewRowsOfRule {
  ruleIndex: number | null;
  matched: number;
  changes: number;
  sample: { id: number; date: string; description: string; amount: number; balance: number | null; category: string | null }[];
}

export function previewResult(sessionId: string, ruleSet: RuleSet, rows: readonly PreviewRowsOfRule[]) {
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
  return {
    session_id: sessionId,
    only_uncategorized: ruleSet.onlyUncategorized,
    rows_considered: rows.reduce((n, r) => n + r.matched, 0),
    unmatched: byRule.get(null)?.matched ?? 0,
    total_changes: rules.reduce((n, r) => n + r.changes, 0),
    rules,
  };
}

export type PreviewResult = ReturnType<typeof previewResult>;
