import assert from 'node:assert/strict';
import { clampText, excelSerial, inlineText } from '../../../domain/reports/excel/cells';
import { xmlAttr, xmlText } from '../../../domain/reports/excel/xml-text';
import { dosDateTime } from '../../../domain/reports/excel/zip/records';
import { centsToNumberText } from '../../../domain/reports/rows';
import { rng } from '../../support/random';

describe('reports: Excel cell text', () => {
  it('writes cents as the same number text as String(cents / 100)', () => {
    const next = rng(3);
    const samples = [0, 1, -1, 5, 10, 99, 100, 101, -110, 123_456, -99_999_999_99, 10 ** 14 + 7];
    for (let i = 0; i < 20_000; i++) samples.push(Math.round((next() - 0.5) * 10 ** Math.floor(next() * 14)));
    for (const c of samples) assert.equal(centsToNumberText(c), String(c / 100), `${c} cents`);
    assert.equal(centsToNumberText(-0), '0');
  });

  it('escapes markup, drops what XML 1.0 cannot carry, keeps CR as a reference', () => {
    assert.equal(xmlText('plain text 日本 🍜'), 'plain text 日本 🍜');
    assert.equal(xmlText('a<b>&c"d\'e'), 'a&lt;b&gt;&amp;c"d\'e');
    assert.equal(xmlText(']]>'), ']]&gt;');
    assert.equal(xmlText('x\u0000\u0001\u0008\u000B\u000C\u000E\u001F\uFFFE\uFFFFy'), 'xy');
    assert.equal(xmlText('tab\tlf\ncr\r'), 'tab\tlf\ncr&#13;');
    assert.equal(xmlAttr('say "R" & <go>'), 'say &quot;R&quot; &amp; &lt;go&gt;');
  });

  it('preserves outer whitespace and clamps to Excel\'s cell limit without splitting an emoji', () => {
    assert.equal(inlineText('word'), '<t>word</t>');
    assert.equal(inlineText(' lead'), '<t xml:space="preserve"> lead</t>');
    assert.equal(inlineText('trail\n'), '<t xml:space="preserve">trail\n</t>');
    assert.equal(clampText('x'.repeat(32_767)).length, 32_767);
    assert.equal(clampText('x'.repeat(32_766) + '🚀').length, 32_766);
  });

  it('turns UTC midnights into Excel day serials', () => {
    assert.equal(excelSerial(Date.UTC(1900, 0, 1)), 2); // the 1900 system counts a 29 Feb 1900 that never was
    assert.equal(excelSerial(Date.UTC(2024, 0, 2)), 45_293);
    assert.equal(excelSerial(Date.UTC(2024, 1, 29)), 45_351);
  });

  it('stamps zip entries with the MS-DOS date and time, clamped to the format\'s range', () => {
    assert.deepEqual(dosDateTime(new Date(Date.UTC(2024, 4, 17, 13, 45, 59))), {
      dosDate: (44 << 9) | (5 << 5) | 17,
      dosTime: (13 << 11) | (45 << 5) | 29,
    });
    assert.equal(dosDateTime(new Date(Date.UTC(1970, 0, 1))).dosDate >> 9, 0);
  });
});
