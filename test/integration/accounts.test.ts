/**
 * GET /accounts and GET /accounts/{id}/continuity: a user's statements grouped by the
 * account they print, and the gaps, overlaps and balances that do not carry between them.
 */
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { getTestDb, truncateAll } from '../support/postgres';
import { getTimeSkippingEnv } from '../support/temporal';
import { seedSession, testConfig, tokenFor, type SeedRow } from '../support/fixtures';
import { startTestApi, type TestApi } from '../support/http';

const ACCOUNT = 'a'.repeat(32);
const OTHER = 'b'.repeat(32);

describe('accounts and their continuity (HTTP → Postgres)', function () {
  this.timeout(60_000);
  let env: TestWorkflowEnvironment;
  let db: Knex;
  let config: Config;
  let api: TestApi;
  let alice: string;

  before(async () => {
    [env, db] = await Promise.all([getTimeSkippingEnv(), getTestDb()]);
    config = testConfig();
    api = await startTestApi({ config, db, temporal: env.client });
    alice = tokenFor(config, 'alice');
  });
  after(() => api.close());
  beforeEach(() => truncateAll(db));

  const statement = (user: string, account: string, start: string, end: string, opening: number, closing: number, rows: SeedRow[] = [{ description: 'X', amount: closing - opening, date: start }]) =>
    seedSession(db, user, rows, { account_key: account, account_mask: '••••4321', period_start: start, period_end: end, opening_balance: opening.toFixed(2), closing_balance: closing.toFixed(2), bank_source: 'FNB' });

  it('links each statement to the next: continuous, a gap with its days and difference, an overlap with its shared rows', async () => {
    const shared: SeedRow[] = [{ date: '2024-05-20', description: 'SHARED ROW', amount: -10, balance: 290 }];
    const feb = await statement('alice', ACCOUNT, '2024-02-14', '2024-03-14', 100, 200);
    const mar = await statement('alice', ACCOUNT, '2024-03-14', '2024-04-14', 200, 300);
    const may = await statement('alice', ACCOUNT, '2024-05-14', '2024-06-14', 350, 290, shared); // 29 days missing, R50 unexplained
    const mayAgain = await statement('alice', ACCOUNT, '2024-05-20', '2024-06-20', 300, 400, shared);
    await statement('bob', ACCOUNT, '2024-01-01', '2024-01-31', 0, 0); // another user's statement of "the same" key: not alice's

    const list = await api.json('/accounts', { token: alice });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.accounts, [{ account_id: ACCOUNT, bank_source: 'FNB', account: '••••4321', session_count: 4, period_start: '2024-02-14', period_end: '2024-06-20' }]);

    const res = await api.json(`/accounts/${ACCOUNT}/continuity`, { token: alice });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const c = res.body;
    assert.deepEqual(c.sessions.map((s: { session_id: string }) => s.session_id), [feb, mar, may, mayAgain]);
    assert.deepEqual(
      c.links.map((l: Record<string, unknown>) => [l.dates, l.gap_days, l.overlap_days, l.shared_transactions, l.balances, l.difference]),
      [
        ['continuous', 0, 0, 0, 'match', 0],
        ['gap', 29, 0, 0, 'mismatch', 50],
        ['overlap', 0, 25, 1, 'mismatch', 10],
      ],
    );
    assert.equal(c.continuous, false);
    assert.equal(c.problems, 2);
  });

  it('is the owner’s only: another user, an unknown id and a malformed one all answer 404', async () => {
    await statement('alice', ACCOUNT, '2024-02-14', '2024-03-14', 100, 200);
    await statement('bob', OTHER, '2024-02-14', '2024-03-14', 100, 200);
    for (const path of [`/accounts/${OTHER}/continuity`, `/accounts/${'c'.repeat(32)}/continuity`, '/accounts/not-an-id/continuity']) {
      const res = await api.json(path, { token: alice });
      assert.equal(res.status, 404, path);
      assert.equal(res.body.error.code, 'ACCOUNT_NOT_FOUND');
    }
    const one = await api.json(`/accounts/${ACCOUNT}/continuity`, { token: alice });
    assert.deepEqual([one.body.links, one.body.continuous, one.body.problems], [[], true, 0]);
  });
});
