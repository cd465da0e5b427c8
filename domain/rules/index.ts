/**
 * The categorization rule language: validation and SQL compilation, both pure. The
 * database side (applyRulesToRange, countByCategory) is in db/categories.ts; an in-memory
 * evaluator that the tests hold the SQL to is in test/support/rules/evaluate.ts.
 * See types.ts for the language, text.ts for case-insensitivity, regex-safety.ts for
 * the regex policy and compile-sql.ts for NULL semantics.
 */
export type {
  AllCondition,
  AnyCondition,
  Condition,
  DateLeaf,
  EvalTransaction,
  Field,
  Leaf,
  NotCondition,
  NumberLeaf,
  Rule,
  RuleProblem,
  RuleSet,
  TextLeaf,
} from './types';
export { LIMITS } from './types';
export { validateRuleSet, checkRuleSet, INVALID_RULES } from './validate';
export { compileRuleMatch, compileRuleSet, type CompiledRuleMatch, type CompiledRuleSet } from './compile-sql';
export { buildUpdateStatement } from './update-sql';
export { buildPreviewStatement, type PreviewStatement } from './preview-sql';
export { previewResult, type PreviewResult } from './preview-result';
