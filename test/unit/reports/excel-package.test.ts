/**
 * The xlsx as a package, read with readers that share no code with the writer: the zip
 * structure through yauzl (plus CRC and data-descriptor checks), every XML part through a
 * strict XML parser, and the parts against what the content types and relationships name.
 */
import assert from 'node:assert/strict';
import { SaxesParser } from 'saxes';
import { renderExcelReport, type ReportRow } from '../../../domain/reports';
import { makeRows } from './dataset';
import { WITH_VAT } from './excel-helpers';
import { MemorySink, fromArray } from './helpers';
import { readZip, type ZipPart } from './zip-reader';

const TRICKY: ReportRow = {
  date: '2024-05-01',
  description: 'nul\u0000 bell\u0007 <b>&amp;</b> "q" \uFFFE cr\r ]]> 日本 🍜',
  category: 'Café & Co',
  amountCents: -100,
  balanceCents: null,
};

async function renderBytes(rows: ReportRow[], maxRowsPerSheet?: number): Promise<Buffer> {
  const sink = new MemorySink();
  await renderExcelReport(fromArray(rows), sink, { ...WITH_VAT, title: 'Title <&> "x"' }, { maxRowsPerSheet });
  return sink.buffer;
}

/** Parses strictly (well-formedness, namespaces, XML 1.0 characters); returns the elements seen. */
function parseXml(name: string, text: string): Array<{ name: string; attributes: Record<string, string> }> {
  const parser = new SaxesParser({ xmlns: true });
  const seen: Array<{ name: string; attributes: Record<string, string> }> = [];
  parser.on('error', (err) => {
    throw new Error(`${name}: ${err.message}`);
  });
  parser.on('opentag', (tag) => {
    const attributes: Record<string, string> = {};
    for (const [k, a] of Object.entries(tag.attributes)) attributes[k] = typeof a === 'string' ? a : a.value;
    seen.push({ name: tag.local, attributes });
  });
  parser.write(text).close();
  return seen;
}

function part(parts: ZipPart[], name: string): string {
  const p = parts.find((x) => x.name === name);
  assert.ok(p, `part ${name}`);
  return p.data.toString('utf8');
}

describe('reports: Excel package structure', function () {
  this.timeout(60_000);

  const rows = [...makeRows(300, 21), TRICKY];
  let bytes: Buffer;
  let parts: ZipPart[];
  before(async () => {
    // 120 rows per sheet: three Transactions sheets, so the spill is covered too.
    bytes = await renderBytes(rows, 120);
    parts = await readZip(bytes);
  });

  it('is a valid zip: unique names, every entry deflated, CRCs and data descriptors right, nothing between entries', () => {
    const names = parts.map((p) => p.name);
    assert.equal(new Set(names).size, names.length, 'no duplicate entries');
    assert.ok(parts.every((p) => p.method === 8), 'deflated');
    // Entries, descriptors and the central directory follow each other without gaps.
    const eocd = bytes.length - 22;
    assert.equal(bytes.readUInt32LE(eocd), 0x06054b50, 'the archive ends with its end-of-central-directory record');
    assert.equal(bytes.readUInt16LE(eocd + 10), parts.length);
    const directoryOffset = bytes.readUInt32LE(eocd + 16);
    assert.equal(directoryOffset + bytes.readUInt32LE(eocd + 12), eocd, 'the directory ends where its end record starts');
    let p = 0;
    for (const entry of parts) {
      assert.equal(bytes.readUInt32LE(p), 0x04034b50, `${entry.name} starts where the previous entry ended`);
      const nameLength = bytes.readUInt16LE(p + 26);
      assert.equal(bytes.toString('utf8', p + 30, p + 30 + nameLength), entry.name);
      // Find this entry's compressed size in the central directory, then skip data + descriptor.
      let d = directoryOffset;
      while (bytes.toString('utf8', d + 46, d + 46 + bytes.readUInt16LE(d + 28)) !== entry.name) d += 46 + bytes.readUInt16LE(d + 28);
      assert.equal(bytes.readUInt32LE(d + 42), p, `${entry.name}: directory offset`);
      p += 30 + nameLength + bytes.readUInt32LE(d + 20) + 16;
    }
    assert.equal(p, directoryOffset);
  });

  it('holds exactly the parts the content types and relationships name, each well-formed XML', () => {
    for (const p of parts) parseXml(p.name, p.data.toString('utf8'));
    const overrides = parseXml('[Content_Types].xml', part(parts, '[Content_Types].xml'))
      .filter((e) => e.name === 'Override')
      .map((e) => e.attributes.PartName.slice(1));
    const relsParts = parts.map((p) => p.name).filter((n) => n.endsWith('.rels'));
    assert.deepEqual(
      [...overrides].sort(),
      parts
        .map((p) => p.name)
        .filter((n) => !relsParts.includes(n) && n !== '[Content_Types].xml')
        .sort(),
      'every non-rels part has a content type, and every content type a part',
    );
    const rootTargets = parseXml('_rels/.rels', part(parts, '_rels/.rels')).filter((e) => e.name === 'Relationship');
    for (const r of rootTargets) part(parts, r.attributes.Target);
    const sheetRels = parseXml('rels', part(parts, 'xl/_rels/workbook.xml.rels')).filter((e) => e.name === 'Relationship');
    const sheets = parseXml('workbook', part(parts, 'xl/workbook.xml')).filter((e) => e.name === 'sheet');
    assert.deepEqual(
      sheets.map((s) => s.attributes.name),
      ['Transactions', 'Transactions (2)', 'Transactions (3)', 'Summary', 'Monthly', 'VAT'],
    );
    for (const s of sheets) {
      const rel = sheetRels.find((r) => r.attributes.Id === s.attributes['r:id']);
      assert.ok(rel, `relationship of ${s.attributes.name}`);
      part(parts, `xl/${rel.attributes.Target}`);
    }
    const targets = sheetRels.map((r) => `xl/${r.attributes.Target}`);
    assert.ok(targets.includes('xl/styles.xml'));
  });

  it('every cell style index points into cellXfs, and every format into numFmts or the built-ins', () => {
    const styles = parseXml('styles', part(parts, 'xl/styles.xml'));
    const xfStart = styles.findIndex((e) => e.name === 'cellXfs');
    const cellXfs = styles.slice(xfStart).filter((e) => e.name === 'xf');
    const customFormats = new Set(styles.filter((e) => e.name === 'numFmt').map((e) => e.attributes.numFmtId));
    for (const xf of cellXfs) {
      const id = xf.attributes.numFmtId;
      assert.ok(Number(id) < 164 || customFormats.has(id), `numFmtId ${id} is declared`);
    }
    for (const p of parts.filter((x) => x.name.startsWith('xl/worksheets/'))) {
      for (const e of parseXml(p.name, p.data.toString('utf8'))) {
        const s = e.attributes.s ?? e.attributes.style;
        if ((e.name === 'c' || e.name === 'col') && s !== undefined) {
          assert.ok(Number(s) < cellXfs.length, `${p.name}: style ${s} exists`);
        }
      }
    }
  });

  it('fails with a non-retryable REPORT_TOO_LARGE past a zip32 limit, leaving the sink open', async () => {
    for (const zipLimits of [
      { bytes: 64 * 1024, entries: 0xfffe },
      { bytes: 0xfffffffe, entries: 3 },
    ]) {
      const sink = new MemorySink();
      await assert.rejects(renderExcelReport(fromArray(makeRows(3000, 2)), sink, WITH_VAT, { zipLimits }), (err: Error & { code?: string }) => {
        assert.equal(err.name, 'TaskInputError');
        assert.equal(err.code, 'REPORT_TOO_LARGE');
        assert.match(err.message, /zip32/);
        return true;
      });
      assert.equal(sink.writableEnded, false);
    }
  });
});
