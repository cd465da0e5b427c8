/**
 * The categorization rule language. Validation, SQL compilation and the TS
 * evaluator are pure; applyRulesToRange and countByCategory take a knex handle.
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
export { compileRuleSet, type CompiledRuleSet } from './compile-sql';
export { buildUpdateStatement } from './update-sql';
