/**
 * validateRuleSet: the request body `{rules: [{category, conditions}], only_uncategorized?}`
 * checked completely before any task starts. Every problem is collected (not just the
 * first) and thrown together as ValidationError('INVALID_RULES') whose details are
 * `[{rule_index, path, message}]`; rule_index is null for the rule set as a whole.
 */
import { ValidationError } from '../../contract/errors';
import { codePointLength, textProblem } from './text';
import { LIMITS, type Condition, type Rule, type RuleProblem, type RuleSet } from './types';
import { isPlainObject, keyPath, validateCondition, type ConditionContext } from './validate-condition';

export const INVALID_RULES = 'INVALID_RULES';

const TOP_KEYS = ['rules', 'only_uncategorized'];
const RULE_KEYS = ['category', 'conditions'];

function validateCategory(v: unknown, report: (path: string, message: string) => void): string | null {
  if (typeof v !== 'string') {
    report('category', 'must be a non-empty string');
    return null;
  }
  const trimmed = v.trim();
  const bad = textProblem(trimmed);
  if (bad) report('category', bad);
  else if (trimmed === '') report('category', 'must not be empty');
  else if (codePointLength(trimmed) > LIMITS.MAX_CATEGORY_LENGTH) {
    report('category', `must be at most ${LIMITS.MAX_CATEGORY_LENGTH} characters`);
  } else return trimmed;
  return null;
}

function validateRule(input: unknown, ruleIndex: number, problems: RuleProblem[], counts: ConditionContext['counts']): Rule | null {
  const report = (path: string, message: string) => problems.push({ rule_index: ruleIndex, path, message });
  if (!isPlainObject(input)) {
    report('', 'a rule must be an object {category, conditions}');
    return null;
  }
  let ok = true;
  for (const k of Object.keys(input)) {
    if (!RULE_KEYS.includes(k)) {
      report(keyPath('', k).replace(/^\./, ''), `unknown key "${k.slice(0, 40)}"`);
      ok = false;
    }
  }
  const category = validateCategory(input.category, report);
  let conditions: Condition | null = null;
  if (!Object.prototype.hasOwnProperty.call(input, 'conditions')) {
    report('conditions', 'is required');
  } else {
    conditions = validateCondition(input.conditions, 'conditions', 0, { report, counts });
  }
  return ok && category !== null && conditions !== null ? { category, conditions } : null;
}

/** Returns the problems in the rule set; the clean RuleSet when there are none. */
export function checkRuleSet(input: unknown, opts: { maxRules: number }): { ruleSet: RuleSet | null; problems: RuleProblem[] } {
  const problems: RuleProblem[] = [];
  const top = (path: string, message: string) => problems.push({ rule_index: null, path, message });
  if (!isPlainObject(input)) {
    top('', 'the body must be an object {rules: [...], only_uncategorized?: boolean}');
    return { ruleSet: null, problems };
  }
  for (const k of Object.keys(input)) {
    if (!TOP_KEYS.includes(k)) top(keyPath('', k).replace(/^\./, ''), `unknown key "${k.slice(0, 40)}"`);
  }
  const only = input.only_uncategorized;
  if (only !== undefined && typeof only !== 'boolean') top('only_uncategorized', 'must be true or false');

  const rules: Rule[] = [];
  const raw = input.rules;
  if (raw === undefined) top('rules', 'is required');
  else if (!Array.isArray(raw)) top('rules', 'must be an array of rules');
  else if (raw.length === 0) top('rules', 'at least one rule is required');
  else {
    if (raw.length > opts.maxRules) top('rules', `at most ${opts.maxRules} rules are allowed (got ${raw.length})`);
    const counts = { leaves: 0 };
    for (let i = 0; i < raw.length; i++) {
      const rule = validateRule(raw[i], i, problems, counts); // holes in a sparse array are reported too
      if (rule) rules.push(rule);
    }
    if (counts.leaves > LIMITS.MAX_TOTAL_LEAVES) {
      top('rules', `the rules have ${counts.leaves} conditions in all; at most ${LIMITS.MAX_TOTAL_LEAVES} are allowed`);
    }
  }
  if (problems.length > 0) return { ruleSet: null, problems };
  return { ruleSet: { rules, onlyUncategorized: only === true }, problems };
}

/** Validates the request body; throws ValidationError INVALID_RULES listing every problem. */
export function validateRuleSet(input: unknown, opts: { maxRules: number }): RuleSet {
  const { ruleSet, problems } = checkRuleSet(input, opts);
  if (ruleSet) return ruleSet;
  const n = problems.length;
  const details =
    n > LIMITS.MAX_PROBLEMS
      ? [...problems.slice(0, LIMITS.MAX_PROBLEMS), { rule_index: null, path: '', message: `…and ${n - LIMITS.MAX_PROBLEMS} more problems` }]
      : problems;
  const first = problems[0];
  const where = first.rule_index === null ? first.path : `rule ${first.rule_index}${first.path ? ` ${first.path}` : ''}`;
  throw new ValidationError(
    `The rule set is invalid: ${n === 1 ? '1 problem' : `${n} problems`}, first: ${where ? `${where}: ` : ''}${first.message}`,
    INVALID_RULES,
    details,
  );
}
