/**
 * What OCR makes of a ruled table's lines and of figures beside them, taken off the words
 * before parsing; words that merely look alike are left alone.
 */
import assert from 'node:assert/strict';
import { withoutRuleGlyphs } from '../../../domain/statements/ocr-repair/table-rules';

describe('ocr: table rules read as part of a word', () => {
  it('takes rules off the ends of words', () => {
    assert.equal(withoutRuleGlyphs('|Payment', 'To'), 'Payment');
    assert.equal(withoutRuleGlyphs('848.53Cr|', undefined), '848.53Cr');
    assert.equal(withoutRuleGlyphs('1,848.53]', undefined), '1,848.53');
    assert.equal(withoutRuleGlyphs('[28', 'Oct'), '28');
    assert.equal(withoutRuleGlyphs('17.40,', undefined), '17.40');
    assert.equal(withoutRuleGlyphs('1.60)', undefined), '1.60');
  });

  it('reads a Cr touched by a rule, a rule read as a third decimal, and a month with a mark after it', () => {
    for (const touched of ['1,600.00C', '24,639.82C1', '9,158.69Ci', '1,856.46C:', '793.43Cq', '6.60Gr']) assert.match(withoutRuleGlyphs(touched, undefined), /\d\.\d{2}Cr$/, touched);
    assert.equal(withoutRuleGlyphs('675.650', undefined), '675.65');
    assert.equal(withoutRuleGlyphs('28', 'Oct:'), '28');
    assert.equal(withoutRuleGlyphs('Oct:', undefined), 'Oct');
  });

  it('restores a decimal point lost inside a comma-grouped figure, and a rule read as a 1 before a day', () => {
    assert.equal(withoutRuleGlyphs('2,74951Cr', undefined), '2,749.51Cr');
    assert.equal(withoutRuleGlyphs('123', 'Oct'), '23');
    assert.equal(withoutRuleGlyphs('l05', 'Nov'), '05');
  });

  it('leaves alone what is not a rule', () => {
    assert.equal(withoutRuleGlyphs('(1.60)', undefined), '(1.60)', 'a bracketed amount');
    assert.equal(withoutRuleGlyphs('123', 'Main'), '123', 'a number before a word that is no month');
    assert.equal(withoutRuleGlyphs('1,234.56', undefined), '1,234.56');
    assert.equal(withoutRuleGlyphs('Cr', undefined), 'Cr');
    assert.equal(withoutRuleGlyphs('12,345', undefined), '12,345');
    assert.equal(withoutRuleGlyphs('10.5', undefined), '10.5');
  });
});
