/**
 * Pins down the exceljs streaming behaviour the renderer is designed around, so an exceljs
 * upgrade that changes it fails here with a clear message rather than as a memory leak
 * in production:
 *  1. a sheet's XML is queued in the zip when the sheet is CREATED, and the zip writes
 *     entries one at a time — so a sheet created earlier and left open makes every row of
 *     a later sheet pile up in memory (why Summary/Monthly/VAT are created last);
 *  2. sheetBacklogBytes() sees that pile-up (the brake in excel/workbook.ts relies on it).
 */
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import { sheetBacklogBytes } from '../../../domain/reports/excel/backlog';
import { MemorySink } from './helpers';

async function writeRows(ws: ExcelJS.Worksheet, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    ws.addRow([new Date(Date.UTC(2024, 0, 1)), `Row ${i} some description text`, 'Fuel', -i / 100]).commit();
    if (i % 256 === 0) await nextTurn(); // give the zip every chance to drain
  }
  await new Promise((r) => setTimeout(r, 50));
}

describe('reports: exceljs streaming assumptions', function () {
  this.timeout(30_000);

  it('rows of a sheet queued behind an open sheet stay in memory until that sheet is committed', async () => {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: new MemorySink() as unknown as Writable, useStyles: true });
    const first = wb.addWorksheet('Summary first');
    const second = wb.addWorksheet('Transactions second');
    await writeRows(second, 20_000);
    const queued = sheetBacklogBytes(second);
    assert.ok(queued > 1_000_000, `expected ~all 20k rows of XML queued, saw ${queued} bytes`);
    first.commit();
    second.commit();
    await wb.commit();
  });

  it('rows of the first open sheet flow through, leaving only a small backlog', async () => {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: new MemorySink() as unknown as Writable, useStyles: true });
    const only = wb.addWorksheet('Transactions first');
    await writeRows(only, 20_000);
    // Compression runs on zlib's thread pool: on a busy machine it can lag the writes by a
    // moment. Give it up to 5 s; XML queued behind an open sheet (the test above) never drains.
    let backlog = sheetBacklogBytes(only);
    for (const started = Date.now(); backlog >= 200_000 && Date.now() - started < 5_000; backlog = sheetBacklogBytes(only)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(backlog < 200_000, `expected the XML to have been compressed away, saw ${backlog} bytes`);
    only.commit();
    await wb.commit();
  });
});
