/**
 * Test helpers for the report renderers: row sources, in-memory and controllable sinks,
 * and an independent VAT oracle (string-parsed rational + BigInt) to check the renderer's
 * arithmetic against something that shares no code with it.
 */
import { Writable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import type { ReportRow } from '../../../domain/reports';

export async function* fromArray(rows: readonly ReportRow[]): AsyncIterable<ReportRow> {
  for (const r of rows) yield r;
}

/** Collects everything written; `finished` tells whether end() completed. */
export class MemorySink extends Writable {
  readonly chunks: Buffer[] = [];
  writes = 0;
  constructor() {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(Buffer.from(chunk));
    this.writes += 1;
    cb();
  }
  get buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** A sink that accepts writes but does not complete them until release(): a stalled store. */
export class BlockedSink extends Writable {
  readonly chunks: Buffer[] = [];
  private pending: Array<() => void> = [];
  private blocked = true;
  constructor() {
    super({ highWaterMark: 16 * 1024 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(Buffer.from(chunk));
    if (this.blocked) this.pending.push(() => cb());
    else cb();
  }
  release(): void {
    this.blocked = false;
    for (const p of this.pending.splice(0)) p();
  }
  get buffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** VAT in cents by exact rational arithmetic on the decimal text of the rate. */
export function oracleVat(amountCents: number, ratePercent: number): number {
  const [intPart, fracPart = ''] = String(ratePercent).split('.');
  const rateDen = 10n ** BigInt(fracPart.length);
  const rateNum = BigInt(intPart + fracPart);
  const a = BigInt(amountCents);
  const num = (a < 0n ? -a : a) * rateNum;
  const den = 100n * rateDen + rateNum;
  let q = num / den;
  if ((num % den) * 2n >= den) q += 1n;
  return Number(a < 0n ? -q : q);
}

export async function loadWorkbook(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}

/** A cell's value with formulas replaced by their cached result. */
export function plain(cell: ExcelJS.Cell): unknown {
  const v = cell.value as unknown;
  if (v && typeof v === 'object' && 'formula' in (v as object)) return (v as { result: unknown }).result;
  return v;
}

export function formulaOf(cell: ExcelJS.Cell): string | undefined {
  const v = cell.value as unknown;
  return v && typeof v === 'object' && 'formula' in (v as object) ? (v as { formula: string }).formula : undefined;
}

/** Waits until `read()` stops changing for `quietMs` (or `maxMs` passes); returns the last value. */
export async function settle(read: () => number, quietMs = 300, maxMs = 10_000): Promise<number> {
  const start = Date.now();
  let last = read();
  let since = Date.now();
  while (Date.now() - start < maxMs) {
    await new Promise((r) => setTimeout(r, 20));
    const now = read();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return now;
    }
  }
  return last;
}

export const DEFAULT_VAT = {
  ratePercent: 15,
  vatCategories: ['Fuel', 'Groceries', 'Utilities', 'Transport', 'Entertainment', 'Clothing', 'Dining', 'Travel'],
};

/**
 * One entry of a zip (an xlsx) as text, read through the central directory — to check
 * raw XML where exceljs's reader hides or mangles details.
 */
export function zipEntryText(zip: Buffer, name: string): string {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'end of central directory');
  let p = zip.readUInt32LE(eocd + 16);
  const entries = zip.readUInt16LE(eocd + 10);
  for (let i = 0; i < entries; i++) {
    assert.equal(zip.readUInt32LE(p), 0x02014b50, 'central directory entry');
    const method = zip.readUInt16LE(p + 10);
    const compressed = zip.readUInt32LE(p + 20);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const entryName = zip.toString('utf8', p + 46, p + 46 + nameLen).replace(/^\//, '');
    if (entryName === name) {
      const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(dataStart, dataStart + compressed);
      return (method === 8 ? inflateRawSync(data) : data).toString('utf8');
    }
    p += 46 + nameLen + extraLen + commentLen;
  }
  throw new Error(`no ${name} in zip`);
}
