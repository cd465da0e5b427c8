/**
 * Bulk inserts by COPY ... FROM STDIN, inside a knex transaction. A statement's tens of
 * thousands of rows go in as one stream of tab-separated lines: Postgres reads them with
 * no SQL to parse per row and no JSON to expand, and the rows are formatted here while
 * Postgres, on another core, stores the ones before (bench/RESULTS.md).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** A column's value: text as it is, numbers as written, null as SQL NULL. */
export type CopyValue = string | number | null;

/** COPY's text format: backslash, newline, carriage return and tab are escaped; nothing else is special. */
const SPECIAL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function field(v: CopyValue): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  return v.replace(SPECIAL, (c) => ESCAPES[c]);
}

/** One row as a line of COPY's text format. */
export function copyLine(values: readonly CopyValue[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i ? '\t' : '') + field(values[i]);
  return line + '\n';
}

/**
 * Streams `rows` into `table` on the transaction's connection, `batch` rows per write;
 * `onBatch` runs after each (a heartbeat). Text must be valid for Postgres text (no NUL,
 * no lone surrogates): COPY refuses the whole stream otherwise, and the transaction with it.
 */
export async function copyIn(
  trx: Knex.Transaction,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly CopyValue[])[],
  options: { batch: number; onBatch?: () => void },
): Promise<void> {
  // A transaction's client hands out the transaction's own connection, and never releases it.
  const connection = (await trx.client.acquireConnection()) as PoolClient;
  const sql = `copy ${table} (${columns.join(', ')}) from stdin`;
  const stream = connection.query(copyFrom(sql));
  const { batch, onBatch } = options;
  await pipeline(
    Readable.from(
      (function* () {
        for (let i = 0; i < rows.length; i += batch) {
          let text = '';
          for (let j = i; j < Math.min(rows.length, i + batch); j++) text += copyLine(rows[j]);
          yield text;
          onBatch?.();
        }
      })(),
    ),
    stream,
  );
}
