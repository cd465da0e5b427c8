/**
 * The worker command line as an operator types it: the Celery worker's --queues/--concurrency,
 * the Temporal knobs, --help, and one clear error (exit 2) for anything wrong.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { loadConfig, TASK_QUEUES } from '../../../platform/config';
import { parseWorkerArgs, UsageError, WORKER_HELP } from '../../../worker/cli';

const config = loadConfig({ WORKER_CONCURRENCY: '4', WORKER_WORKFLOW_CONCURRENCY: '40', WORKER_CACHE_SIZE: '250', WORKER_SHUTDOWN_GRACE_SECONDS: '30' });
const parse = (...argv: string[]) => parseWorkerArgs(argv, config);

describe('worker CLI (parseWorkerArgs)', () => {
  it('polls all four queues with the configured slots by default', () => {
    const cli = parse();
    assert.deepEqual(cli.settings.queues, [...TASK_QUEUES]);
    assert.equal(cli.settings.concurrency, 4);
    assert.equal(cli.settings.workflowConcurrency, 40);
    assert.equal(cli.settings.cacheSize, 250);
    assert.equal(cli.settings.shutdownGraceSeconds, 30);
    assert.equal(cli.settings.identity, undefined);
    assert.equal(cli.help, false);
    assert.equal(cli.schedules, true);
    assert.equal(cli.priorityNote, undefined);
  });

  it('takes a subset of queues, trimmed, de-duplicated, in the order given', () => {
    assert.deepEqual(parse('--queues=reports').settings.queues, ['reports']);
    assert.deepEqual(parse('--queues', ' pdf_processing , bulk_operations,pdf_processing').settings.queues, ['pdf_processing', 'bulk_operations']);
  });

  it('refuses an unknown queue, naming it and the known ones', () => {
    assert.throws(() => parse('--queues=pdf_processing,celery'), (err: Error) => {
      assert.ok(err instanceof UsageError);
      assert.match(err.message, /unknown queue "celery"/);
      assert.match(err.message, /pdf_processing, bulk_operations, reports, default/);
      return true;
    });
    assert.throws(() => parse('--queues=,'), /at least one queue/);
  });

  it("accepts the Celery worker's priority syntax, polls those queues, and explains where priority lives", () => {
    const cli = parse('--queues=pdf_processing:10,reports:5,default:1');
    assert.deepEqual(cli.settings.queues, ['pdf_processing', 'reports', 'default']);
    assert.match(cli.priorityNote ?? '', /TASK_PRIORITIES/);
    assert.match(cli.priorityNote ?? '', /own slots/);
    assert.throws(() => parse('--queues=pdf_processing:high'), /priority for pdf_processing must be a whole number/);
    assert.throws(() => parse('--queues=pdf:10'), /unknown queue "pdf"/);
  });

  it('reads the slot, cache, identity, grace, schedule and log-level options', () => {
    const cli = parse('--concurrency=8', '--workflow-concurrency=100', '--cache-size=0', '--identity=worker1@host', '--grace=5', '--no-schedules', '--loglevel=DEBUG');
    assert.equal(cli.settings.concurrency, 8);
    assert.equal(cli.settings.workflowConcurrency, 100);
    assert.equal(cli.settings.cacheSize, 0);
    assert.equal(cli.settings.identity, 'worker1@host');
    assert.equal(cli.settings.shutdownGraceSeconds, 5);
    assert.equal(cli.schedules, false);
    assert.equal(cli.logLevel, 'debug');
  });

  it('refuses bad numbers and unknown options with a usage error', () => {
    for (const argv of [['--concurrency=0'], ['--concurrency=two'], ['--workflow-concurrency=1'], ['--grace=-1'], ['--cache-size=1.5'], ['--loglevel=verbose'], ['--pool=solo'], ['extra']]) {
      assert.throws(() => parse(...argv), UsageError, argv.join(' '));
    }
  });

  it('--help / -h', () => {
    assert.equal(parse('--help').help, true);
    assert.equal(parse('-h').help, true);
    for (const flag of ['--queues', '--concurrency', '--workflow-concurrency', '--cache-size', '--identity', '--grace', '--loglevel', '--help']) {
      assert.ok(WORKER_HELP.includes(flag), flag);
    }
  });
});

describe('worker entry point (worker/main.ts, as a process)', function () {
  this.timeout(30_000);
  const root = path.resolve(__dirname, '../../..');
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'worker/main.ts', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', TEMPORAL_ADDRESS: '' } });

  it('prints the help and exits 0 without touching any server', () => {
    const r = run('--help');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: npm run worker/);
  });

  it('exits 2 with one line for an unknown queue', () => {
    const r = run('--queues=reports,celery');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /statementflow worker: unknown queue "celery"/);
    assert.match(r.stderr, /see --help/);
  });
});
