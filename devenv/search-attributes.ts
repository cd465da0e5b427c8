/**
 * Registers the custom search attributes (contract/search-attributes.ts) on a Temporal
 * server: as flags of the dev server, or through the operator service on the
 * time-skipping test server.
 */
import { CUSTOM_SEARCH_ATTRIBUTES } from '../contract/search-attributes';

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
