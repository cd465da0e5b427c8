/**
 * The custom search attributes Statementflow registers on Temporal and sets on every task
 * workflow, so operators can filter in the Web UI (`TaskName="parse_pdf_async"`,
 * `UserId="42"`). The embedded dev server registers them at start (core/runtime), and
 * a real cluster needs them too: `temporal operator search-attribute create --name TaskName
 * --type Keyword` (one per entry below).
 *
 * Importable from workflow code: it depends on @temporalio/common only.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Name and type (as the Temporal CLI spells it) of each custom search attribute. */
export const CUSTOM_SEARCH_ATTRIBUTES = [
  { name: 'TaskName', type: 'Keyword' },
  { name: 'UserId', type: 'Keyword' },
  { name: 'ClientId', type: 'Keyword' },
  { name: 'BankSource', type: 'Keyword' },
] as const;

export type CustomSearchAttributeName = (typeof CUSTOM_SEARCH_ATTRIBUTES)[number]['name'];

/** Typed keys for `typedSearchAttributes` / `upsertSearchAttributes` in workflow code. */
export const SEARCH_ATTRIBUTE_KEYS = {
  TaskName: defineSearchAttributeKey('TaskName', SearchAttributeType.KEYWORD),
  UserId: defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD),
  ClientId: defineSearchAttributeKey('ClientId', SearchAttributeType.KEYWORD),
  BankSource: defineSearchAttributeKey('BankSource', SearchAttributeType.KEYWORD),
} as const satisfies Record<CustomSearchAttributeName, unknown>;

/** `--search-attribute NAME=Type` flags for `temporal server start-dev`. */
export function searchAttributeFlags(): string[] {
  return CUSTOM_SEARCH_ATTRIBUTES.flatMap((a) => ['--search-attribute', `${a.name}=${a.type}`]);
}

/** temporal.api.enums.v1.IndexedValueType, by the CLI's type names. */
const INDEXED_VALUE_TYPE: Record<string, number> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};

/** The structural part of @temporalio/client's Connection this needs (no runtime import). */
interface OperatorConnection {
  operatorService: {
    listSearchAttributes(req: { namespace: string }): Promise<{ customAttributes?: Record<string, unknown> | null }>;
    addSearchAttributes(req: { namespace: string; searchAttributes: Record<string, number> }): Promise<unknown>;
  };
}

/**
 * Registers the custom search attributes that `namespace` lacks (idempotent). The dev server
 * does this itself from its flags; the time-skipping test server and a real cluster need it
 * (the test server has no ListSearchAttributes, so there every attribute is added).
 */
export async function registerSearchAttributes(connection: OperatorConnection, namespace: string): Promise<string[]> {
  let existing: Record<string, unknown> = {};
  try {
    existing = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch (err) {
    if ((err as { code?: number }).code !== 12) throw err; // 12 = UNIMPLEMENTED (the Java test server)
  }
  const missing = CUSTOM_SEARCH_ATTRIBUTES.filter((a) => !(a.name in existing));
  if (missing.length === 0) return [];
  const searchAttributes = Object.fromEntries(missing.map((a) => [a.name, INDEXED_VALUE_TYPE[a.type]!]));
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (err) {
    if ((err as { code?: number }).code !== 6) throw err; // 6 = ALREADY_EXISTS: registered meanwhile
  }
  return missing.map((a) => a.name);
}
