import assert from 'node:assert/strict';
import { renderCsvReport, renderExcelReport, type RenderOptions, type ReportRow } from '../../../domain/reports';
import { expectedFigures, makeRows } from './dataset';
import { DEFAULT_VAT, MemorySink, fromArray } from './helpers';

const WITH_VAT: RenderOptions = { includeVat: true, vat: DEFAULT_VAT };

/** An independent RFC 4180 parser (strict: a quote inside an unquoted field is an error). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let i = 0;
  let quoted = false;
  let fieldStart = true;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i += 1;
        assert.ok(i === text.length || text[i] === ',' || text.startsWith('\r\n', i), `junk after closing quote at ${i}`);
      } else {
        field += ch;
        i += 1;
      }
    } else if (ch === '"' && fieldStart) {
      quoted = true;
      fieldStart = false;
      i += 1;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      fieldStart = true;
      i += 1;
    } else if (text.startsWith('\r\n', i)) {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      fieldStart = true;
      i += 2;
    } else {
      assert.ok(ch !== '"' && ch !== '\r' && ch !== '\n', `unquoted ${JSON.stringify(ch)} at ${i}`);
      field += ch;
      fieldStart = false;
      i += 1;
    }
  }
  assert.ok(!quoted, 'unterminated quoted field');
  assert.equal(field, '', 'the last record must end with CRLF');
  assert.equal(record.length, 0);
  return records;
}

async function csvOf(rows: ReportRow[], opts: RenderOptions) {
  const sink = new MemorySink();
  const outcome = await renderCsvReport(fromArray(rows), sink, opts);
  assert.ok(sink.writableFinished, 'ended and flushed on resolve');
  return { outcome, bytes: sink.buffer };
}

function money(cents: number | null): string {
  if (cents === null) return '';
  const abs = Math.abs(cents);
  return `${cents < 0 ? '-' : ''}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

describe('reports: CSV', () => {
  it('starts with a UTF-8 BOM and uses CRLF everywhere outside quoted fields', async () => {
    const { bytes } = await csvOf(makeRows(50, 2), WITH_VAT);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    assert.ok(text.endsWith('\r\n'));
    assert.equal(text.split('\r\n').length, 50 + 2, 'header + 50 records + trailing empty');
    assert.ok(!/[^\r]\n/.test(text), 'no bare LF');
  });

  it('writes the Transactions columns with plain decimal amounts, matching an independent computation', async () => {
    const rows = makeRows(300, 9);
    const exp = expectedFigures(rows, WITH_VAT);
    const { bytes, outcome } = await csvOf(rows, WITH_VAT);
    const records = parseCsv(bytes.toString('utf8').slice(1));
    assert.deepEqual(records[0], ['Date', 'Description', 'Category', 'Amount', 'Balance', 'VAT Amount', 'Amount excl. VAT']);
    assert.equal(records.length, 301);
    rows.forEach((r, i) => {
      assert.deepEqual(
        records[i + 1],
        [
          r.date,
          r.description,
          r.category?.trim() ?? '',
          money(r.amountCents),
          money(r.balanceCents),
          money(exp.rowVat[i]),
          money(r.amountCents - exp.rowVat[i]),
        ],
        `record ${i + 1}`,
      );
    });
    assert.deepEqual(outcome.totals, {
      moneyInCents: exp.moneyIn,
      moneyOutCents: exp.moneyOut,
      netCents: exp.moneyIn - exp.moneyOut,
      vatInputCents: exp.input,
      vatOutputCents: exp.output,
    });
  });

  it('returns the same totals as the Excel renderer for the same rows', async () => {
    const rows = makeRows(200, 4);
    const csv = await renderCsvReport(fromArray(rows), new MemorySink(), WITH_VAT);
    const xlsx = await renderExcelReport(fromArray(rows), new MemorySink(), WITH_VAT);
    assert.deepEqual(csv, xlsx);
  });

  it('omits the VAT columns without includeVat', async () => {
    const rows = makeRows(5, 1);
    const { bytes } = await csvOf(rows, { includeVat: false, vat: DEFAULT_VAT, title: 'ignored in CSV' });
    const records = parseCsv(bytes.toString('utf8').slice(1));
    assert.deepEqual(records[0], ['Date', 'Description', 'Category', 'Amount', 'Balance']);
    assert.equal(records[1].length, 5);
  });

  it('quotes commas, quotes, CR and LF and round-trips unicode', async () => {
    const descriptions = ['a,b', 'say "hi"', 'two\nlines', 'cr\rhere', 'crlf\r\nin', 'Café — 日本 🍜 ñ', '"', ''];
    const rows = descriptions.map((d) => ({
      date: '2024-01-01',
      description: d,
      category: 'x,y',
      amountCents: 100,
      balanceCents: null,
    }));
    const { bytes } = await csvOf(rows, WITH_VAT);
    const text = bytes.toString('utf8');
    assert.ok(text.includes('"say ""hi"""'));
    assert.ok(text.includes('"two\nlines"'));
    assert.ok(text.includes('Café — 日本 🍜 ñ'), 'unicode written as UTF-8, not escaped');
    assert.ok(Buffer.from('日本', 'utf8').every((b) => bytes.includes(b)));
    const records = parseCsv(text.slice(1));
    assert.deepEqual(
      records.slice(1).map((r) => r[1]),
      descriptions,
    );
    assert.ok(records.slice(1).every((r) => r[2] === 'x,y'));
  });

  it('neutralizes formula-like text but keeps negative amounts as numbers', async () => {
    const dangerous = ['=1+1', '+27 82 555 0000', '-12.50', '@SUM(A1:A9)', '\t=cmd', '\r=cmd', '=HYPERLINK("http://x","y")'];
    const rows: ReportRow[] = dangerous.map((d) => ({
      date: '2024-01-01',
      description: d,
      category: '=EVIL()',
      amountCents: -1250,
      balanceCents: -5,
    }));
    rows.push({ date: '2024-01-01', description: 'a=b -x @y', category: 'Fuel', amountCents: -1250, balanceCents: null });
    const { bytes } = await csvOf(rows, WITH_VAT);
    const records = parseCsv(bytes.toString('utf8').slice(1));
    dangerous.forEach((d, i) => {
      const rec = records[i + 1];
      assert.equal(rec[1], `'${d}`, `description ${JSON.stringify(d)}`);
      assert.equal(rec[2], "'=EVIL()");
      assert.equal(rec[3], '-12.50', 'amount stays a number');
      assert.equal(rec[4], '-0.05', 'balance stays a number');
      assert.equal(rec[5], '0.00');
      assert.equal(rec[6], '-12.50');
    });
    const last = records[dangerous.length + 1];
    assert.deepEqual(last.slice(1, 7), ['a=b -x @y', 'Fuel', '-12.50', '', '-1.63', '-10.87']);
    // On the wire the amount is bare: no quote, no prefix.
    assert.ok(bytes.toString('utf8').includes(",'=EVIL(),-12.50,-0.05,0.00,-12.50\r\n"));
  });

  it('writes an empty statement as BOM + header', async () => {
    const { bytes, outcome } = await csvOf([], WITH_VAT);
    assert.equal(bytes.toString('utf8'), '\uFEFFDate,Description,Category,Amount,Balance,VAT Amount,Amount excl. VAT\r\n');
    assert.equal(outcome.rowsWritten, 0);
  });

  it('rejects a bad row with REPORT_BAD_ROW and leaves the sink open', async () => {
    const sink = new MemorySink();
    const rows = [{ date: '2024-13-01', description: 'x', category: null, amountCents: 1, balanceCents: null }];
    await assert.rejects(renderCsvReport(fromArray(rows), sink, WITH_VAT), { code: 'REPORT_BAD_ROW' });
    assert.equal(sink.writableEnded, false);
  });
});
