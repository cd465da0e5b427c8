/**
 * Checks a leaf's `value` against its field's kind and its op. Each function returns the
 * clean value, or null after reporting every problem it found at `path` (or at
 * `path[i]` for list items).
 */
import { compileRegex } from './regex-safety';
import { codePointLength, textProblem } from './text';
import { LIMITS, type FieldKind } from './types';

export type Report = (path: string, message: string) => void;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real proleptic-Gregorian calendar date 'YYYY-MM-DD' between 0001-01-01 and 9999-12-31. */
export function isRealDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return d <= days;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? 'a string' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function scalar(kind: FieldKind, op: string, v: unknown, path: string, report: Report): string | number | null {
  if (kind === 'number') {
    if (typeof v !== 'number') {
      report(path, `must be a number (a JSON number such as -150.5), not ${describe(v)}`);
      return null;
    }
    if (!Number.isFinite(v) || Math.abs(v) > LIMITS.MAX_ABS_NUMBER) {
      report(path, `must be between -${LIMITS.MAX_ABS_NUMBER} and ${LIMITS.MAX_ABS_NUMBER}`);
      return null;
    }
    return v;
  }
  if (typeof v !== 'string') {
    report(path, kind === 'date' ? `must be a date string 'YYYY-MM-DD', not ${describe(v)}` : `must be a string, not ${describe(v)}`);
    return null;
  }
  if (kind === 'date') {
    if (!isRealDate(v)) {
      report(path, `must be a real calendar date written 'YYYY-MM-DD' (got ${JSON.stringify(v.slice(0, 40))})`);
      return null;
    }
    return v;
  }
  const bad = textProblem(v);
  if (bad) {
    report(path, bad);
    return null;
  }
  if (op === 'regex') {
    const r = compileRegex(v);
    if (!r.ok) {
      report(path, r.message);
      return null;
    }
    return v;
  }
  if (codePointLength(v) > LIMITS.MAX_TEXT_LENGTH) {
    report(path, `must be at most ${LIMITS.MAX_TEXT_LENGTH} characters`);
    return null;
  }
  return v;
}

function list(kind: FieldKind, v: unknown, path: string, report: Report): unknown[] | null {
  if (!Array.isArray(v)) {
    report(path, `must be a non-empty array for op "in", not ${describe(v)}`);
    return null;
  }
  if (v.length === 0) {
    report(path, 'must not be empty for op "in"');
    return null;
  }
  if (v.length > LIMITS.MAX_IN_ITEMS) {
    report(path, `must have at most ${LIMITS.MAX_IN_ITEMS} items for op "in" (got ${v.length})`);
    return null;
  }
  const out = Array.from(v, (item, i) => scalar(kind, 'in', item, `${path}[${i}]`, report));
  return out.some((x) => x === null) ? null : out;
}

function pair(kind: FieldKind, v: unknown, path: string, report: Report): unknown[] | null {
  if (!Array.isArray(v) || v.length !== 2) {
    report(path, `must be a pair [low, high] for op "between", not ${Array.isArray(v) ? `${v.length} items` : describe(v)}`);
    return null;
  }
  const lo = scalar(kind, 'between', v[0], `${path}[0]`, report);
  const hi = scalar(kind, 'between', v[1], `${path}[1]`, report);
  if (lo === null || hi === null) return null;
  if (lo > hi) {
    report(path, `between needs low <= high (got ${JSON.stringify(lo)} > ${JSON.stringify(hi)})`);
    return null;
  }
  return [lo, hi];
}

/** The validated value for `kind` and `op` (op already known to be valid for the kind). */
export function validateValue(kind: FieldKind, op: string, v: unknown, path: string, report: Report): unknown {
  if (op === 'in') return list(kind, v, path, report);
  if (op === 'between') return pair(kind, v, path, report);
  return scalar(kind, op, v, path, report);
}
