/**
 * The worker's warm-up: the statement it ships reads as a reconciled statement of invented
 * rows, reading it leaves the pdf.js thread that short statements use running, and a
 * warm-up that cannot read its file is logged, not thrown (the worker polls regardless).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { extractWholePdf, parseStatement } from '../../../domain/statements';
import { pdfThreadRunning, releasePdfThreadIfIdle } from '../../../domain/statements/pdf/thread';
import { createLogger } from '../../../platform/logger';
import { WARM_UP_STATEMENT, warmUpStatementReading } from '../../../worker/warm-up';

function capture() {
  const lines: { level: string; msg: string; [k: string]: unknown }[] = [];
  return { logger: createLogger('info', { service: 'worker' }, (l) => lines.push(JSON.parse(l))), lines };
}

describe('worker: statement reading warmed up before polling', function () {
  this.timeout(60_000);
  afterEach(() => releasePdfThreadIfIdle());

  it('ships a statement that reads whole and reconciles', async () => {
    const { pageCount, pages } = await extractWholePdf(new Uint8Array(fs.readFileSync(WARM_UP_STATEMENT)), 100);
    assert.ok(pages, 'short enough for one request');
    const parsed = parseStatement(pages);
    assert.equal(parsed.bankSource, 'Nedbank');
    assert.equal(parsed.reconciled, true);
    assert.ok(parsed.transactions.length > 1000, `${parsed.transactions.length} rows on ${pageCount} pages`);
  });

  it('reads it, logs what it read, and leaves the pdf.js thread running', async () => {
    await releasePdfThreadIfIdle();
    assert.equal(pdfThreadRunning(), false);
    const { logger, lines } = capture();
    const read = await warmUpStatementReading(logger);
    assert.ok(read && read.pages > 20, JSON.stringify(read));
    assert.equal(pdfThreadRunning(), true);
    const line = lines.find((l) => l.msg === 'statement reading warmed up');
    assert.ok(line, JSON.stringify(lines));
    assert.equal(line.level, 'info');
    assert.equal(line.pages, read.pages);
  });

  it('logs a warm-up it cannot do and resolves', async () => {
    const { logger, lines } = capture();
    assert.equal(await warmUpStatementReading(logger, `${WARM_UP_STATEMENT}.missing`), null);
    const line = lines.find((l) => l.level === 'warn');
    assert.ok(line && /not warmed up/.test(line.msg) && /ENOENT/.test(String(line.reason)), JSON.stringify(lines));
  });
});
