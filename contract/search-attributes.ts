/**
 * The custom search attributes every task workflow carries, so operators can filter in the
 * Web UI (`TaskName="parse_pdf_async"`, `UserId="42"`). A cluster must have them
 * registered: the embedded dev server does it at start (devenv/search-attributes.ts), a
 * real cluster needs `temporal operator search-attribute create --name TaskName --type
 * Keyword`, one per entry below (deploy/temporal/setup.sh).
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
