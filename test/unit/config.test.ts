/** Configuration: read once, validated, one clear line per bad value. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_DEFAULTS, CONFIG_ROWS, ConfigError, loadConfig, onConfigError, requireInfrastructure } from '../../platform/config';
import { REQUIRED } from '../../platform/config/table';

const ROOT = path.resolve(__dirname, '../..');

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
    [{ NODE_ENV: 'production', JWT_SECRET: 'f'.repeat(64), FILE_SECRET_KEY: 'e'.repeat(64), METRICS_TOKEN: 'CHANGE-ME-a-long-random-token' }, /METRICS_TOKEN is a published example value/],
    // The key that seals passwords and webhook secrets: required, long and unpublished, like the JWT secret.
    [{ NODE_ENV: 'production', JWT_SECRET: 'f'.repeat(64) }, /^FILE_SECRET_KEY is required when NODE_ENV=production$/],
    [{ NODE_ENV: 'production', JWT_SECRET: 'f'.repeat(64), FILE_SECRET_KEY: 'statementflow-development-file-key-change-me' }, /FILE_SECRET_KEY is a published example value/],
    [{ NODE_ENV: 'production', JWT_SECRET: 'f'.repeat(64), FILE_SECRET_KEY: '0123456789abcdef0123' }, /FILE_SECRET_KEY must be at least 32 bytes/],
    // In production a placeholder is named as one even when also short: padding it would not help.
    [{ NODE_ENV: 'production', JWT_SECRET: 'change-me' }, /JWT_SECRET is a published example value/],
    [{ METRICS_TOKEN: 'too-short' }, /^METRICS_TOKEN must be at least 16 characters \(or empty to turn \/metrics off\)$/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL="loud" must be debug, info, warn or error$/],
    [{ RETRY_BACKOFF_COEFFICIENT: '0.5' }, /^RETRY_BACKOFF_COEFFICIENT="0.5" must be a number between 1 and 100$/],
    [{ DATABASE_URL: 'mysql://root:hunter2@db/x' }, /^DATABASE_URL must start with postgres:\/\/ or postgresql:\/\/$/], // no password in the line
  ];
  for (const [env, message] of bad) {
    it(`refuses ${JSON.stringify(env)}`, () => {
      assert.throws(() => loadConfig(env), (err: unknown) => err instanceof ConfigError && message.test(err.message));
    });
  }

  it('takes a random 32-byte secret in production', () => {
    assert.equal(loadConfig({ NODE_ENV: 'production', JWT_SECRET: '9f'.repeat(32), FILE_SECRET_KEY: 'a7'.repeat(32) }).isProduction, true);
  });

  it('makes an entry point print one line and exit 1 on a bad value', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', '42'], {
      cwd: ROOT,
      env: { ...process.env, PORT: 'nope' },
      encoding: 'utf8',
    });
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim(), 'statementflow: configuration error: PORT="nope" is not a whole number');
  });

  it('prints a development token that verifies with the secret and carries the user id', async () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/token.ts', 'user-42'], {
      cwd: ROOT,
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

describe('configuration table', () => {
  it('has one row per environment variable, each with its own place in Config', () => {
    const names = CONFIG_ROWS.map((r) => r.setting.env);
    const paths = CONFIG_ROWS.map((r) => r.path);
    assert.equal(new Set(names).size, names.length, 'a variable in two rows');
    assert.equal(new Set(paths).size, paths.length, 'two rows writing the same place');
    assert.deepEqual(Object.keys(CONFIG_DEFAULTS), names, 'the defaults are the rows\' own');
  });

  it('puts each row at its path in Config, parsed', () => {
    const c = loadConfig({ RETRY_MAX_ATTEMPTS: '7', CORS_ORIGINS: 'https://a.example, ,https://b.example', OCR_ENABLED: 'off' });
    const at = (p: string) => p.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], c);
    for (const { path: p } of CONFIG_ROWS) assert.notEqual(at(p), undefined, p);
    assert.equal(at('retry.maximumAttempts'), 7);
    assert.deepEqual(c.corsOrigins, ['https://a.example', 'https://b.example']);
    assert.equal(c.ocr.enabled, false);
    assert.equal(c.dataDir, path.resolve('.data'), 'DATA_DIR is made absolute');
  });

  it('trims values and reads a blank one as unset', () => {
    assert.equal(loadConfig({ PORT: ' 8080 ' }).port, 8080);
    assert.equal(loadConfig({ PORT: '   ' }).port, 8000);
    assert.equal(loadConfig({ JWT_SECRET: '  ' }).jwtSecretIsDefault, true);
    assert.equal(loadConfig({ JWT_SECRET: 'x'.repeat(16) }).jwtSecretIsDefault, false);
  });

  it('has a production default only where production differs: the two secrets, which have none, and private webhook addresses', () => {
    const differ = CONFIG_ROWS.filter((r) => r.setting.production !== r.setting.development).map((r) => r.setting.env);
    assert.deepEqual(differ, ['JWT_SECRET', 'FILE_SECRET_KEY', 'WEBHOOK_ALLOW_PRIVATE_ADDRESSES']);
    for (const name of ['JWT_SECRET', 'FILE_SECRET_KEY']) assert.equal(CONFIG_ROWS.find((r) => r.setting.env === name)!.setting.production, REQUIRED);
    assert.equal(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'f'.repeat(64), FILE_SECRET_KEY: 'e'.repeat(64) }).webhooks.allowPrivateAddresses, false);
  });

  it('types logLevel as the logger\'s level', () => {
    const level: 'debug' | 'info' | 'warn' | 'error' = loadConfig({ LOG_LEVEL: 'warn' }).logLevel;
    assert.equal(level, 'warn');
  });
});

describe('configuration errors are thrown, never a process exit', () => {
  const realExit = process.exit;
  beforeEach(() => {
    process.exit = ((code?: number) => assert.fail(`process.exit(${code}) called by library code`)) as typeof process.exit;
  });
  afterEach(() => {
    process.exit = realExit;
  });

  it('loadConfig throws a ConfigError whose line is what an entry point prints', () => {
    assert.throws(
      () => loadConfig({ PORT: 'nope' }),
      (err: unknown) => err instanceof ConfigError && err.line === 'statementflow: configuration error: PORT="nope" is not a whole number',
    );
  });

  it('requireInfrastructure returns the config when it has what the command needs, else throws one line', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://localhost/x' });
    assert.equal(requireInfrastructure(config, 'npm run migrate', { database: true }), config);
    assert.throws(
      () => requireInfrastructure(config, 'npm run api', { database: true, temporal: true }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.line === 'statementflow: npm run api needs TEMPORAL_ADDRESS: (`npm run infra` prints them), or use `npm start`' &&
        !err.line.includes('\n'),
    );
  });

  it('onConfigError hands the line to the entry point, and lets other errors through', () => {
    assert.equal(onConfigError(() => 42, assert.fail), 42);
    const lines: string[] = [];
    const fail = (line: string): never => {
      lines.push(line);
      throw new Error('stopped');
    };
    assert.throws(() => onConfigError(() => loadConfig({ LOG_LEVEL: 'loud' }), fail), /stopped/);
    assert.deepEqual(lines, ['statementflow: configuration error: LOG_LEVEL="loud" must be debug, info, warn or error']);
    assert.throws(() => onConfigError(() => JSON.parse('{'), fail), SyntaxError);
    assert.equal(lines.length, 1);
  });

  it('no configuration module calls process.exit: the entry points decide', () => {
    const dir = path.join(ROOT, 'platform/config');
    for (const file of fs.readdirSync(dir)) {
      assert.doesNotMatch(fs.readFileSync(path.join(dir, file), 'utf8'), /process\.exit/, file);
    }
  });

  it('makes an entry point that needs servers print what is missing in one line and exit 1', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '', TEMPORAL_ADDRESS: '' },
      encoding: 'utf8',
    });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'statementflow: npm run api needs DATABASE_URL and TEMPORAL_ADDRESS: (`npm run infra` prints them), or use `npm start`\n');
  });
});
