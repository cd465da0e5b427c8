import assert from 'node:assert/strict';
import { escapeLike, likeEndsWith, likeStartsWith } from '../../../domain/rules/like-escape';
import { codePointLength, foldAscii, textProblem } from '../../../domain/rules/text';

describe('rules: text helpers', () => {
  it('escapes the LIKE metacharacters % _ and the escape character \\', () => {
    assert.equal(escapeLike('100%_a\\b'), '100\\%\\_a\\\\b');
    assert.equal(likeStartsWith('_'), '\\_%');
    assert.equal(likeEndsWith('\\'), '%\\\\');
    assert.equal(escapeLike("it's [x] *"), "it's [x] *");
  });

  it('folds ASCII letters only', () => {
    assert.equal(foldAscii('ABC xyz'), 'abc xyz');
    assert.equal(foldAscii('CAFÉ Ü'), 'cafÉ Ü');
    assert.equal(foldAscii('İSTANBUL'), 'İstanbul');
    assert.equal(foldAscii(''), '');
  });

  it('counts code points and spots text Postgres cannot hold', () => {
    assert.equal(codePointLength('😀a'), 2);
    assert.equal(textProblem('ok'), null);
    assert.match(textProblem('a\u0000')!, /NUL/);
    assert.match(textProblem('\udc00')!, /surrogate/);
    assert.equal(textProblem('😀'), null);
  });
});
