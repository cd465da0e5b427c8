/**
 * Bulk inserts by COPY ... FROM STDIN, inside a knex transaction. A statement's tens of
 * thousands of rows go in as one stream of tab-separated lines: Postgres reads them with
 * no SQL to parse per row and no JSON to expand, and the rows are formatted here while
 * Postgres, on another core, stores the ones before (bench/RESULTS.md).
 */
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
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
function copyLine(values: readonly CopyValue[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i ? '\t' : '') + field(values[i]);
  return line + '\n';
}

/**
 * Streams `rows` into `table` on the transaction's connection, `batch` rows per write;
 * `onBatch` runs after each (a heartbeat). Text must be valid for Postgres text (no NUL,
 * no lone surrogates): COPY refuses the whole stream otherwise, and the transaction with it.
 *
 * `rows` is read lazily, one batch before each write: a caller that derives its rows (ids,
 * formatted figures) as they are read does that work while Postgres stores the batches
 * before, on another core, instead of before the first byte is sent. If reading a row
 * throws, the COPY is abandoned (Postgres keeps none of it) and the error passed on.
 */
export async function copyIn(
  trx: Knex.Transaction,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly CopyValue[]>,
  options: { batch: number; onBatch?: () => void },
): Promise<void> {
  // A transaction's client hands out the transaction's own connection, and never releases it.
  const connection = (await trx.client.acquireConnection()) as PoolClient;
  const stream = connection.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
  const done = finished(stream);
  done.catch(() => undefined); // awaited below; a refusal before then also stops the writes
  const { batch, onBatch } = options;
  const write = async (text: string) => {
    if (!stream.write(text)) await Promise.race([once(stream, 'drain'), done]);
    onBatch?.();
  };
  try {
    // Written here rather than piped from a generator, so `onBatch` runs in the caller's
    // async context (a heartbeat needs its activity's), not in the stream's callbacks.
    let text = '';
    let n = 0;
    for (const row of rows) {
      text += copyLine(row);
      if (++n < batch) continue;
      await write(text);
      text = '';
      n = 0;
      if (stream.destroyed) break; // Postgres refused the stream: `done` says why
    }
    if (n > 0 && !stream.destroyed) await write(text);
  } catch (err) {
    // The COPY is failed on the server (pg-copy-streams sends CopyFail with this message,
    // which Postgres logs: a fixed one, never the caller's error) and the connection left
    // ready for the transaction's rollback.
    stream.destroy(new Error('copyIn: the rows could not be read'));
    await done.catch(() => undefined);
    throw err;
  }
  stream.end();
  await done;
}
