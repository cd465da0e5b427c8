import assert from 'node:assert/strict';
import { csvRecord, neutralizeFormula, quoteField, textField } from '../../../domain/reports/csv/escape';

describe('reports: CSV escaping', () => {
  it('leaves plain fields alone', () => {
    assert.equal(quoteField('Shell Garage 123'), 'Shell Garage 123');
    assert.equal(quoteField(''), '');
    assert.equal(quoteField('Café 日本 🚀'), 'Café 日本 🚀');
  });

  it('quotes fields with comma, quote, CR or LF and doubles inner quotes', () => {
    assert.equal(quoteField('a,b'), '"a,b"');
    assert.equal(quoteField('say "hi"'), '"say ""hi"""');
    assert.equal(quoteField('"'), '""""');
    assert.equal(quoteField('line1\nline2'), '"line1\nline2"');
    assert.equal(quoteField('line1\r\nline2'), '"line1\r\nline2"');
    assert.equal(quoteField('cr\ronly'), '"cr\ronly"');
  });

  it('neutralizes text starting with = + - @ tab or CR', () => {
    assert.equal(neutralizeFormula('=1+1'), "'=1+1");
    assert.equal(neutralizeFormula('+27 82 555'), "'+27 82 555");
    assert.equal(neutralizeFormula('-12.50'), "'-12.50");
    assert.equal(neutralizeFormula('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(neutralizeFormula('\t=cmd'), "'\t=cmd");
    assert.equal(neutralizeFormula('\r=cmd'), "'\r=cmd");
  });

  it('does not touch text with those characters later on', () => {
    for (const s of ['a=b', 'x-y', 'mail@example.com', 'R 12.50', " '=quoted", '']) {
      assert.equal(neutralizeFormula(s), s);
    }
  });

  it('neutralizes first, then quotes, so the quote prefix ends up inside the quotes', () => {
    assert.equal(textField('=HYPERLINK("http://x","y")'), '"\'=HYPERLINK(""http://x"",""y"")"');
    assert.equal(textField('\r=1'), '"\'\r=1"');
  });

  it('terminates records with CRLF', () => {
    assert.equal(csvRecord(['a', '"b,c"', '']), 'a,"b,c",\r\n');
  });
});
