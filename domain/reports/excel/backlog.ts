/**
 * How much sheet XML is waiting to be compressed — the one buffer in exceljs's streaming
 * writer that does not respect backpressure.
 *
 * Inside exceljs 4.4: each WorksheetWriter writes into a StreamBuf, which pushes 64 KiB
 * batches into a PassThrough (archiver wraps the StreamBuf in one, because StreamBuf is
 * not a real Readable) WITHOUT looking at write()'s return value. From that PassThrough
 * on, archiver -> deflate -> zip -> our sink is ordinary piping with backpressure. So when
 * the sink (a Postgres chunk store) — or simply deflate — is slower than row generation,
 * the XML piles up in that PassThrough, and without a check here memory grows with the
 * row count (measured: ~100 MB of XML buffered per million rows, even writing to a file).
 * That PassThrough comes from readable-stream 2.x, which predates writableLength and
 * readableLength, hence the fallback to its _writableState/_readableState.
 *
 * This reads private fields; if a future exceljs changes them the function returns 0,
 * the renderer still works (just without this brake), and the backpressure test fails to
 * say so.
 */

interface Sized {
  length?: unknown;
  writableLength?: unknown;
  readableLength?: unknown;
  _writableState?: { length?: unknown };
  _readableState?: { length?: unknown };
}

export function sheetBacklogBytes(sheet: unknown): number {
  const stream = (sheet as { _stream?: { buffers?: unknown; pipes?: unknown } })._stream;
  if (!stream) return 0;
  let total = 0;
  if (Array.isArray(stream.buffers)) {
    for (const b of stream.buffers as Sized[]) total += num(b.length);
  }
  if (Array.isArray(stream.pipes)) {
    for (const p of stream.pipes as Sized[]) {
      total += num(p.writableLength ?? p._writableState?.length);
      total += num(p.readableLength ?? p._readableState?.length);
    }
  }
  return total;
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
