/**
 * Validates one condition tree, reporting every problem with its path (for example
 * "conditions.all[2].value"), and rebuilds it from scratch: the result holds only known
 * keys, fields and ops, so nothing from the input (extra keys, a prototype) travels on.
 */
import { FIELD_KIND, LIMITS, OPS_BY_KIND, TEXT_OPS, ORDERED_OPS, type Condition, type Field } from './types';
import { validateValue, type Report } from './validate-value';

export interface ConditionContext {
  report: Report;
  /** Leaves seen so far in the whole rule set (for LIMITS.MAX_TOTAL_LEAVES); shared by all rules. */
  counts: { leaves: number };
}

const GROUP_KEYS = ['all', 'any', 'not'] as const;
const LEAF_KEYS = ['field', 'op', 'value'] as const;
const FIELDS = Object.keys(FIELD_KIND) as Field[];
const ALL_OPS = new Set<string>([...TEXT_OPS, ...ORDERED_OPS]);

const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** "conditions.value" for an identifier-like key, "conditions[\"a b\"]" otherwise. */
export function keyPath(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]{0,40}$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key.slice(0, 40))}]`;
}

function quote(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : String(v);
}

function validateGroup(input: Record<string, unknown>, path: string, nesting: number, ctx: ConditionContext): Condition | null {
  const groupKeys = GROUP_KEYS.filter((k) => has(input, k));
  let ok = true;
  for (const k of Object.keys(input)) {
    if ((GROUP_KEYS as readonly string[]).includes(k)) continue;
    const mixed = (LEAF_KEYS as readonly string[]).includes(k);
    ctx.report(keyPath(path, k), mixed ? `a group (${groupKeys.join('/')}) cannot also have "${k}"` : `unknown key "${k.slice(0, 40)}"`);
    ok = false;
  }
  if (groupKeys.length > 1) {
    ctx.report(path, `must have exactly one of all, any, not (got ${groupKeys.join(', ')})`);
    return null;
  }
  const key = groupKeys[0];
  if (nesting >= LIMITS.MAX_NESTING) {
    ctx.report(keyPath(path, key), `conditions may be nested at most ${LIMITS.MAX_NESTING} groups deep`);
    return null;
  }
  const childPath = keyPath(path, key);
  if (key === 'not') {
    const child = validateCondition(input.not, childPath, nesting + 1, ctx);
    return ok && child ? { not: child } : null;
  }
  const list = input[key];
  if (!Array.isArray(list) || list.length === 0) {
    ctx.report(childPath, `must be a non-empty array of conditions`);
    return null;
  }
  const children = Array.from(list, (c, i) => validateCondition(c, `${childPath}[${i}]`, nesting + 1, ctx));
  if (!ok || children.some((c) => c === null)) return null;
  return key === 'all' ? { all: children as Condition[] } : { any: children as Condition[] };
}

function validateLeaf(input: Record<string, unknown>, path: string, ctx: ConditionContext): Condition | null {
  ctx.counts.leaves++;
  let ok = true;
  for (const k of Object.keys(input)) {
    if (!(LEAF_KEYS as readonly string[]).includes(k)) {
      ctx.report(keyPath(path, k), `unknown key "${k.slice(0, 40)}"`);
      ok = false;
    }
  }
  for (const k of LEAF_KEYS) {
    if (!has(input, k)) {
      ctx.report(keyPath(path, k), `is required (a condition is {field, op, value} or a group {all}, {any}, {not})`);
      ok = false;
    }
  }

  const { field, op, value } = input;
  let kind: (typeof FIELD_KIND)[Field] | null = null;
  if (has(input, 'field')) {
    if (typeof field === 'string' && has(FIELD_KIND, field)) kind = FIELD_KIND[field as Field];
    else ctx.report(`${path}.field`, `unknown field ${quote(field)}; expected one of ${FIELDS.join(', ')}`);
  }
  let opOk = false;
  if (has(input, 'op')) {
    if (typeof op !== 'string' || !ALL_OPS.has(op)) {
      ctx.report(`${path}.op`, `unknown op ${quote(op)}; expected one of ${[...ALL_OPS].join(', ')}`);
    } else if (kind && !OPS_BY_KIND[kind].includes(op)) {
      ctx.report(`${path}.op`, `op "${op}" does not apply to ${field as string}; expected one of ${OPS_BY_KIND[kind].join(', ')}`);
    } else {
      opOk = true;
    }
  }
  if (!ok || !kind || !opOk) return null;
  const clean = validateValue(kind, op as string, value, `${path}.value`, ctx.report);
  if (clean === null) return null;
  return { field, op, value: clean } as Condition;
}

/**
 * Validates `input` found at `path`, inside `nesting` all/any/not groups. Returns the
 * rebuilt condition, or null when anything in it was reported.
 */
export function validateCondition(input: unknown, path: string, nesting: number, ctx: ConditionContext): Condition | null {
  if (!isPlainObject(input)) {
    ctx.report(path, 'must be an object: a condition {field, op, value} or a group {all}, {any} or {not}');
    return null;
  }
  if (GROUP_KEYS.some((k) => has(input, k))) return validateGroup(input, path, nesting, ctx);
  return validateLeaf(input, path, ctx);
}
