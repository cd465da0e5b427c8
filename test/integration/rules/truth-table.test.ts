import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { validateRuleSet } from '../../../domain/rules';
import { evaluateRuleSet } from '../../support/rules/evaluate';
import { getTestDb } from '../../support/postgres';
import { CASES, ROWS } from '../../unit/rules/truth-table';
import { createSession, insertRows, sqlMatches } from './helpers';

describe('rules: truth table through SQL (real Postgres) and the TS evaluator', function () {
  this.timeout(120_000);
  let db: Knex;
  let sessionId: string;

  before(async () => {
    db = await getTestDb();
    sessionId = await createSession(db);
    await insertRows(db, sessionId, ROWS);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const rs = validateRuleSet({ rules: [{ category: 'HIT', conditions: c.condition }] }, { maxRules: 500 });
      const ts = ROWS.filter((r) => evaluateRuleSet(rs, r) === 'HIT').map((r) => r.seq);
      const sql = await sqlMatches(db, sessionId, c.condition);
      assert.deepEqual(sql, c.expect, 'SQL path');
      assert.deepEqual(ts, c.expect, 'TS evaluator');
    });
  }
});
