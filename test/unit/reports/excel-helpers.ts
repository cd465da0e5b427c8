/** Rendering and reading-back helpers shared by the Excel tests. */
import assert from 'node:assert/strict';
import type ExcelJS from 'exceljs';
import type { RenderOptions, ReportRow } from '../../../domain/reports';
import { renderExcelReport as renderExcelInternal } from '../../../domain/reports/excel/workbook';
import { DEFAULT_VAT, MemorySink, fromArray, loadWorkbook, plain } from './helpers';

export const CURRENCY = '"R" #,##0.00';
export const WITH_VAT: RenderOptions = { includeVat: true, vat: DEFAULT_VAT };

/** Renders, checks the sink was ended, and loads the result back with exceljs. */
export async function render(rows: ReportRow[], opts: RenderOptions, maxRowsPerSheet?: number) {
  const sink = new MemorySink();
  const outcome = await renderExcelInternal(fromArray(rows), sink, opts, { maxRowsPerSheet });
  assert.ok(sink.writableFinished, 'the sink must be ended and flushed when the promise resolves');
  return { outcome, wb: await loadWorkbook(sink.buffer), bytes: sink.buffer };
}

export function sheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = wb.getWorksheet(name);
  assert.ok(ws, `sheet ${name} exists`);
  return ws;
}

export function rowValues(ws: ExcelJS.Worksheet, r: number, n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => plain(ws.getRow(r).getCell(i + 1)));
}

export function assertFrozen(ws: ExcelJS.Worksheet, ySplit: number): void {
  const view = ws.views[0] as { state?: string; ySplit?: number; xSplit?: number };
  assert.equal(view.state, 'frozen', `${ws.name} frozen`);
  assert.equal(view.ySplit, ySplit, `${ws.name} frozen rows`);
  assert.ok(!view.xSplit, `${ws.name} no frozen columns`);
}

