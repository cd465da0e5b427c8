/**
 * The categorization rule language: types, the field/op whitelist and the limits.
 *
 * A rule set is an ordered list of rules; the first rule whose condition matches a
 * transaction sets its category. Conditions are leaves `{field, op, value}` or the groups
 * `{all: [...]}`, `{any: [...]}`, `{not: condition}`, nested up to MAX_NESTING levels.
 */

export type TextField = 'description';
export type NumberField = 'amount' | 'balance';
export type DateField = 'date';
export type Field = TextField | NumberField | DateField;

/** Ops with a single scalar value on the description. */
export type TextScalarOp = 'contains' | 'not_contains' | 'equals' | 'not_equals' | 'starts_with' | 'ends_with' | 'regex';
/** Ops with a single scalar value on amount, balance and date. */
export type OrderedScalarOp = 'equals' | 'not_equals' | 'gt' | 'gte' | 'lt' | 'lte';

export type TextLeaf =
  | { field: TextField; op: TextScalarOp; value: string }
  | { field: TextField; op: 'in'; value: string[] };

export type NumberLeaf =
  | { field: NumberField; op: OrderedScalarOp; value: number }
  | { field: NumberField; op: 'between'; value: [number, number] }
  | { field: NumberField; op: 'in'; value: number[] };

/** Dates are 'YYYY-MM-DD' strings, validated as real calendar dates. */
export type DateLeaf =
  | { field: DateField; op: OrderedScalarOp; value: string }
  | { field: DateField; op: 'between'; value: [string, string] }
  | { field: DateField; op: 'in'; value: string[] };

export type Leaf = TextLeaf | NumberLeaf | DateLeaf;
export type AllCondition = { all: Condition[] };
export type AnyCondition = { any: Condition[] };
export type NotCondition = { not: Condition };
export type Condition = Leaf | AllCondition | AnyCondition | NotCondition;

export interface Rule {
  category: string;
  conditions: Condition;
}

export interface RuleSet {
  rules: Rule[];
  onlyUncategorized: boolean;
}

/** One transaction as the TS evaluator sees it (amount and balance in Rands, date 'YYYY-MM-DD'). */
export interface EvalTransaction {
  description: string;
  amount: number;
  balance: number | null;
  date: string;
  category: string | null;
}

/** One validation problem. `rule_index` is null for problems with the rule set as a whole. */
export interface RuleProblem {
  rule_index: number | null;
  path: string;
  message: string;
}

export const FIELD_KIND = {
  description: 'text',
  amount: 'number',
  balance: 'number',
  date: 'date',
} as const satisfies Record<Field, 'text' | 'number' | 'date'>;

export type FieldKind = (typeof FIELD_KIND)[Field];

export const TEXT_OPS = ['contains', 'not_contains', 'equals', 'not_equals', 'starts_with', 'ends_with', 'regex', 'in'] as const;
export const ORDERED_OPS = ['equals', 'not_equals', 'gt', 'gte', 'lt', 'lte', 'between', 'in'] as const;

export const OPS_BY_KIND: Record<FieldKind, readonly string[]> = {
  text: TEXT_OPS,
  number: ORDERED_OPS,
  date: ORDERED_OPS,
};

export const LIMITS = {
  /** Default for opts.maxRules (config RULES_MAX). */
  DEFAULT_MAX_RULES: 500,
  /** Characters in a category, after trimming. */
  MAX_CATEGORY_LENGTH: 100,
  /** Nested all/any/not groups around the deepest leaf (a bare leaf is 0). */
  MAX_NESTING: 10,
  /** Items in an `in` list. */
  MAX_IN_ITEMS: 500,
  /** Characters in one text value (contains, equals, an `in` item, …). */
  MAX_TEXT_LENGTH: 500,
  /** Characters in a regex pattern. */
  MAX_REGEX_LENGTH: 200,
  /** Leaves in the whole rule set: keeps the UPDATE's parameter count far below 65,535. */
  MAX_TOTAL_LEAVES: 10_000,
  /** Largest |amount| or |balance| value: numeric(14,2) holds ±999,999,999,999.99. */
  MAX_ABS_NUMBER: 999_999_999_999.99,
  /** Problems listed in a ValidationError's details before the rest are summarised. */
  MAX_PROBLEMS: 200,
} as const;

/** Postgres' limit on bind parameters in one statement (a 16-bit count). */
export const PG_MAX_BINDINGS = 65_535;
