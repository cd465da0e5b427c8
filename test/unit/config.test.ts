/** Configuration: read once, validated, one clear line per bad value. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../platform/config';

describe('configuration', () => {
  it('uses the documented defaults', () => {
    const c = loadConfig({});
    assert.equal(c.port, 8000);
    assert.equal(c.retry.maximumAttempts, 4);
    assert.equal(c.retry.initialIntervalSeconds, 60);
    assert.equal(c.softTimeLimitSeconds, 1500);
    assert.equal(c.hardTimeLimitSeconds, 1800);
    assert.equal(c.resultTtlSeconds, 3600);
    assert.equal(c.cleanup.cron, '0 2 * * *');
    assert.equal(c.jwtSecretIsDefault, true);
    assert.equal(c.worker.metricsHost, '127.0.0.1', 'the unauthenticated worker metrics stay on loopback unless told otherwise');
  });

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'eighty' }, /PORT="eighty" is not a whole number/],
    [{ PORT: '70000' }, /PORT=70000 must be between 0 and 65535/],
    [{ OCR_ENABLED: 'maybe' }, /OCR_ENABLED="maybe" must be true or false/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres/],
    [{ TEMPORAL_ADDRESS: 'http://x' }, /TEMPORAL_ADDRESS/],
    [{ CLEANUP_TIMEZONE: 'Mars/Olympus' }, /CLEANUP_TIMEZONE="Mars\/Olympus" is not an IANA time zone/],
    [{ CLEANUP_CRON: '0 2 * *' }, /CLEANUP_CRON/],
    [{ SOFT_TIME_LIMIT_SECONDS: '100', HARD_TIME_LIMIT_SECONDS: '100' }, /HARD_TIME_LIMIT_SECONDS must be greater/],
    [{ NODE_ENV: 'production' }, /JWT_SECRET is required when NODE_ENV=production/],
    [{ JWT_SECRET: 'short' }, /at least 16 characters/],
    // Production: no published secret, none short enough to guess offline from one token.
    [{ NODE_ENV: 'production', JWT_SECRET: 'statementflow-development-secret-change-me' }, /JWT_SECRET is a published example value/],
    [{ NODE_ENV: 'production', JWT_SECRET: 'CHANGE-ME-at-least-16-characters' }, /JWT_SECRET is a published example value/],
    [{ NODE_ENV: 'production', JWT_SECRET: '0123456789abcdef0123456789' }, /at least 32 bytes when NODE_ENV=production/],
    [{ NODE_ENV: 'production', JWT_SECRET: 'f'.repeat(64), METRICS_TOKEN: 'CHANGE-ME-a-long-random-token' }, /METRICS_TOKEN is a published example value/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
  ];
  for (const [env, message] of bad) {
    it(`refuses ${JSON.stringify(env)}`, () => {
      assert.throws(() => loadConfig(env), (err: unknown) => err instanceof ConfigError && message.test(err.message));
    });
  }

  it('takes a random 32-byte secret in production', () => {
    assert.equal(loadConfig({ NODE_ENV: 'production', JWT_SECRET: '9f'.repeat(32) }).isProduction, true);
  });

  it('makes an entry point print one line and exit 1 on a bad value', () => {
    const root = path.resolve(__dirname, '../..');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', '42'], {
      cwd: root,
      env: { ...process.env, PORT: 'nope' },
      encoding: 'utf8',
    });
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim(), 'statementflow: configuration error: PORT="nope" is not a whole number');
  });

  it('prints a development token that verifies with the secret and carries the user id', async () => {
    const root = path.resolve(__dirname, '../..');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', 'user-42'], {
      cwd: root,
      env: { ...process.env, JWT_SECRET: 'a-secret-of-enough-length' },
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const jwt = await import('jsonwebtoken');
    const claims = jwt.default.verify(r.stdout.trim(), 'a-secret-of-enough-length', { algorithms: ['HS256'] }) as { sub: string; exp: number; iat: number };
    assert.equal(claims.sub, 'user-42');
    assert.equal(claims.exp - claims.iat, 24 * 3600);
  });
});
