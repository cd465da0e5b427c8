import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { pgArrayLiteral } from '../../../domain/rules/compile-sql';
import { compileRegex } from '../../../domain/rules/regex-safety';
import { matcherFor } from '../../support/rules/regex-matcher';
import { getTestDb } from '../../support/postgres';
import { randomPattern, randomText } from '../../unit/rules/regex-fuzz';
import { rng } from '../../support/random';

describe('rules: translated regexes mean the same in Postgres and in the TS evaluator', function () {
  this.timeout(180_000);
  let db: Knex;
  before(async () => {
    db = await getTestDb();
  });

  it('agree on 600 random patterns × 25 texts (case folding, non-ASCII, emoji, newlines, \\b)', async () => {
    const r = rng(20261128);
    let checked = 0;
    for (let i = 0; i < 600; i++) {
      const p = randomPattern(r);
      const c = compileRegex(p);
      if (!c.ok) continue;
      const texts = Array.from({ length: 25 }, () => randomText(r, 12));
      // the regex alone, and with the prefilter exactly as compile-sql.ts writes it
      const res = (await db.raw(
        `SELECT u.t COLLATE "C" ~ ? AS m,
                (strpos(lower(u.t COLLATE "C"), coalesce(?, '')) > 0 AND u.t COLLATE "C" ~ ?) AS pre
           FROM unnest(?::text[]) WITH ORDINALITY AS u(t, i) ORDER BY u.i`,
        [c.sources.pg, c.literal, c.sources.pg, pgArrayLiteral(texts)],
      )) as { rows: { m: boolean; pre: boolean }[] };
      const m = matcherFor(c);
      texts.forEach((t, k) => {
        const want = m.test(t);
        assert.equal(res.rows[k].m, want, `pattern ${JSON.stringify(p)} (pg ${c.sources.pg}) on ${JSON.stringify(t)}`);
        assert.equal(res.rows[k].pre, want, `prefilter ${JSON.stringify(c.literal)}: ${JSON.stringify(p)} on ${JSON.stringify(t)}`);
        checked++;
      });
    }
    assert.ok(checked > 10_000, `only ${checked}`);
  });
});
