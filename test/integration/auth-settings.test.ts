/**
 * Who the API lets in, by configuration: JWT_ISSUER / JWT_AUDIENCE are checked when set,
 * and POST /dev/token exists only when DEV_TOKEN_ENDPOINT is on — which production refuses.
 */
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import type { Knex } from 'knex';
import { signUserToken } from '../../api/middleware/auth';
import { ConfigError, loadConfig } from '../../platform/config';
import { testConfig } from '../support/fixtures';
import { startTestApi } from '../support/http';
import { getTestDb } from '../support/postgres';
import { getTimeSkippingEnv } from '../support/temporal';

describe('REST API: authentication settings', function () {
  this.timeout(120_000);
  let db: Knex;
  before(async () => {
    db = await getTestDb();
  });

  it('with JWT_ISSUER and JWT_AUDIENCE set, accepts only tokens that carry both', async () => {
    const config = testConfig({ JWT_ISSUER: 'https://login.example.test', JWT_AUDIENCE: 'statementflow' });
    const api = await startTestApi({ config, db, temporal: (await getTimeSkippingEnv()).client });
    try {
      const plain = jwt.sign({ sub: 'alice' }, config.jwtSecret, { algorithm: 'HS256', expiresIn: 600 });
      const otherAudience = jwt.sign({ sub: 'alice' }, config.jwtSecret, { algorithm: 'HS256', expiresIn: 600, issuer: config.jwtIssuer, audience: 'someone-else' });
      assert.equal((await api.json('/tasks', { token: plain })).status, 401, 'no iss/aud');
      assert.equal((await api.json('/tasks', { token: otherAudience })).status, 401, 'another audience');
      assert.equal((await api.json('/tasks', { token: signUserToken(config, 'alice', 600) })).status, 200, "the service's own tokens carry both");
    } finally {
      await api.close();
    }
  });

  it('has no POST /dev/token unless DEV_TOKEN_ENDPOINT is on, even outside production', async () => {
    const config = testConfig({ DEV_TOKEN_ENDPOINT: 'false' });
    const api = await startTestApi({ config, db, temporal: (await getTimeSkippingEnv()).client });
    try {
      // Plain fetch: the test API records every answer against the document, and this path
      // is (rightly) not in the document of an app without the endpoint.
      const res = await fetch(`${api.url}/dev/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"user_id":"carol"}' });
      assert.notEqual(res.status, 200);
      assert.equal(((await res.json()) as { access_token?: string }).access_token, undefined);
      const doc = (await api.json('/openapi.json')).body as { paths: Record<string, unknown> };
      assert.equal(doc.paths['/dev/token'], undefined, 'not documented either');
    } finally {
      await api.close();
    }
  });

  it('refuses to start in production with DEV_TOKEN_ENDPOINT on, in one line', () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a'.repeat(48), FILE_SECRET_KEY: 'b'.repeat(48), DEV_TOKEN_ENDPOINT: 'true' }),
      (e: unknown) => e instanceof ConfigError && /DEV_TOKEN_ENDPOINT/.test(e.message) && !e.message.includes('\n'),
    );
  });
});
