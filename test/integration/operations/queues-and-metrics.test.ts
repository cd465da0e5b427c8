/**
 * What an operator checks, on a real Temporal dev server and a real Postgres, through the
 * real API: a worker on a subset of queues runs only those tasks; a task for a queue nobody
 * polls waits PENDING and shows why (no pollers, a workflow task never started) until a
 * matching worker starts; the Web UI's search-attribute filters and memo find it; a failed
 * task carries its error code and stack; /metrics is protected and its counters move;
 * API log lines carry task_id and user_id.
 */
import assert from 'node:assert/strict';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { NativeConnection, Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Knex } from 'knex';
import type { Config, TaskQueue } from '../../../platform/config';
import { SEARCH_ATTRIBUTE_KEYS } from '../../../contract/search-attributes';
import { createWorkers } from '../../../worker/create-workers';
import { generateStatement } from '../../fixtures/statements/render';
import { absa } from '../../fixtures/statements/styles/absa';
import { generatedRows, seedSession, testConfig, tokenFor } from '../../support/fixtures';
import { getTestDb, truncateAll } from '../../support/postgres';
import { getDevServer, getDevServerNativeConnection, getWorkflowBundle } from '../../support/temporal';
import { OPS_NAMESPACE, opsNamespaceClient, sample, startOpsApi, waitFor, type OpsApi } from './support';

const METRICS_TOKEN = 'ops-test-metrics-token-0123456789';
const USER = 'ops-42';
const { TaskQueueType } = temporal.api.enums.v1;

describe('operations: queues, Web UI visibility, metrics and logs (dev server + Postgres)', function () {
  this.timeout(240_000);
  let db: Knex;
  let native: NativeConnection;
  let bundle: WorkflowBundleWithSourceMap;
  let client: Client;
  let config: Config;
  let api: OpsApi;
  let token: string;
  const running: { workers: Worker[]; done: Promise<unknown> }[] = [];
  const ids: { parse?: string; report?: string; failing?: string; session?: string } = {};

  before(async () => {
    const [dev, testDb] = await Promise.all([getDevServer(), getTestDb()]);
    db = testDb;
    [native, bundle, client] = await Promise.all([getDevServerNativeConnection(), getWorkflowBundle(), opsNamespaceClient(dev.connection)]);
    await truncateAll(db);
    config = testConfig({ METRICS_TOKEN, OCR_ENABLED: 'false', RETRY_INITIAL_INTERVAL_SECONDS: '1', RETRY_MAX_ATTEMPTS: '2' });
    api = await startOpsApi({ config, db, temporal: client });
    token = tokenFor(config, USER);
  });

  after(async () => {
    for (const r of running) for (const w of r.workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(running.map((r) => r.done));
    await api?.close();
  });

  /** What `npm run worker -- --queues=…` builds, in this process, on the test namespace. */
  async function startQueueWorker(queues: TaskQueue[], identity: string) {
    const workers = await createWorkers({
      connection: native,
      namespace: OPS_NAMESPACE,
      db,
      config,
      settings: { queues, concurrency: 2, workflowConcurrency: 10, cacheSize: 10, identity, shutdownGraceSeconds: 5 },
      workflows: { workflowBundle: bundle },
    });
    running.push({ workers, done: Promise.all(workers.map((w) => w.run())) });
  }

  const scrape = async () => {
    const res = await api.json('/metrics', { token: METRICS_TOKEN });
    assert.equal(res.status, 200);
    return res.text;
  };
  const row = (taskId: string) => db('task_status').where({ task_id: taskId }).first();

  async function pollers(queue: TaskQueue): Promise<string[]> {
    const res = await client.workflowService.describeTaskQueue({
      namespace: OPS_NAMESPACE,
      taskQueue: { name: queue },
      taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return (res.pollers ?? []).map((p) => p.identity ?? '');
  }

  async function upload(pdf: Uint8Array, name: string, clientId?: string) {
    const form = new FormData();
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), name);
    if (clientId) form.append('client_id', clientId);
    const res = await api.json('/upload_pdf_async', { method: 'POST', token, body: form });
    assert.equal(res.status, 202, res.text);
    return res.body.task_id as string;
  }

  it('keeps /metrics from the public: 404 without METRICS_TOKEN, 401 without the right token (a user JWT is not one)', async () => {
    assert.equal((await api.json('/metrics')).status, 401);
    const wrong = await api.json('/metrics', { token: 'not-the-metrics-token' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 'UNAUTHORIZED');
    assert.equal((await api.json('/metrics', { token })).status, 401);
    const off = await startOpsApi({ config: testConfig(), db, temporal: client });
    try {
      assert.equal((await off.json('/metrics', { token: METRICS_TOKEN })).status, 404);
    } finally {
      await off.close();
    }
    const ok = await api.json('/metrics', { token: METRICS_TOKEN });
    assert.equal(ok.status, 200);
    assert.match(ok.text, /# TYPE statementflow_http_request_duration_seconds histogram/);
  });

  it('a worker on --queues=reports runs the report and never the parse, which waits PENDING with no poller on its queue', async () => {
    const before = await scrape(); // also sets the finished-counter watermark
    await startQueueWorker(['reports'], 'ops-reports');

    const statement = await generateStatement({
      style: absa,
      seed: 11,
      start: { year: 2024, month: 3, day: 1 },
      end: { year: 2024, month: 3, day: 31 },
      count: 40,
      openingCents: 500_000,
    });
    ids.parse = await upload(statement.pdf, 'march-statement.pdf', 'acme-7');
    ids.session = await seedSession(db, USER, generatedRows(300));
    const rep = await api.json(`/reports/generate_async?session_id=${ids.session}&report_type=csv`, { method: 'POST', token });
    assert.equal(rep.status, 202, rep.text);
    ids.report = rep.body.task_id;

    const reportResult = await client.workflow.getHandle(ids.report!).result();
    assert.equal(reportResult.status, 'success');
    assert.equal((await row(ids.report!)).status, 'SUCCESS');

    // The parse: accepted, but no worker polls pdf_processing. Everything says so.
    const status = await api.json(`/tasks/${ids.parse}/status`, { token });
    assert.equal(status.body.status, 'PENDING');
    assert.equal(status.body.progress_message, 'Waiting for a worker');
    const handle = client.workflow.getHandle(ids.parse!);
    const desc = await handle.describe();
    assert.equal(desc.status.name, 'RUNNING');
    assert.equal(desc.taskQueue, 'pdf_processing');
    // Scheduled, never started: the Web UI shows a pending workflow task and nothing else.
    assert.ok(desc.raw.pendingWorkflowTask, 'a workflow task is pending');
    assert.equal(desc.raw.pendingWorkflowTask?.startedTime ?? null, null);
    const history = await handle.fetchHistory();
    assert.deepEqual(
      history.events!.map((e) => Object.keys(e).find((k) => k.endsWith('EventAttributes'))),
      ['workflowExecutionStartedEventAttributes', 'workflowTaskScheduledEventAttributes'],
    );
    // `temporal task-queue describe --task-queue pdf_processing`: nobody polls it; reports has our worker.
    assert.deepEqual(await pollers('pdf_processing'), []);
    assert.ok((await pollers('reports')).includes('ops-reports@reports'));

    // Priority key from TASK_PRIORITIES (pdf_processing:10 → 1, reports:5 → 3), visible on the execution.
    assert.equal(desc.raw.workflowExecutionInfo?.priority?.priorityKey, 1);
    assert.equal((await client.workflow.getHandle(ids.report!).describe()).raw.workflowExecutionInfo?.priority?.priorityKey, 3);

    // Metrics moved: submissions, request latency, the finished report, the open parse.
    const after = await waitFor('the report to be counted as finished', async () => {
      const text = await scrape();
      return sample(text, 'statementflow_tasks_finished_total', { task_name: 'generate_report_async', status: 'SUCCESS' }) >= 1 && text;
    });
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    assert.equal(delta('statementflow_tasks_submitted_total', { task_name: 'parse_pdf_async' }), 1);
    assert.equal(delta('statementflow_tasks_submitted_total', { task_name: 'generate_report_async' }), 1);
    assert.equal(delta('statementflow_tasks_finished_total', { task_name: 'generate_report_async', status: 'SUCCESS' }), 1);
    assert.equal(delta('statementflow_http_request_duration_seconds_count', { method: 'POST', route: '/upload_pdf_async', status: '202' }), 1);
    assert.equal(delta('statementflow_http_request_duration_seconds_count', { method: 'GET', route: '/tasks/:id/status', status: '200' }), 1);
    assert.equal(sample(after, 'statementflow_tasks_open', { task_name: 'parse_pdf_async', queue: 'pdf_processing', status: 'PENDING' }), 1);
    assert.ok(sample(after, 'statementflow_task_oldest_open_seconds', { queue: 'pdf_processing', status: 'PENDING' }) > 0);
  });

  it('the parse runs once a pdf_processing worker starts; search attributes, memo and filters find it; metrics count it', async () => {
    await startQueueWorker(['pdf_processing'], 'ops-pdf');
    const handle = client.workflow.getHandle(ids.parse!);
    const result = await handle.result();
    assert.equal(result.status, 'success');
    assert.equal((await row(ids.parse!)).status, 'SUCCESS');

    const desc = await handle.describe();
    assert.equal(desc.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.TaskName), 'parse_pdf_async');
    assert.equal(desc.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.UserId), USER);
    assert.equal(desc.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.ClientId), 'acme-7');
    assert.ok(desc.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.BankSource), 'BankSource upserted by the parse');
    assert.equal(desc.memo?.file_name, 'march-statement.pdf');
    assert.match(String(desc.memo?.session_id), /^[0-9a-f-]{36}$/);
    assert.equal(desc.type, 'parsePdf');

    // The operator's Web UI filter, run as the visibility query it is.
    const query = `TaskName="parse_pdf_async" AND UserId="${USER}" AND ExecutionStatus="Completed"`;
    await waitFor(`visibility: ${query}`, async () => {
      for await (const wf of client.workflow.list({ query })) if (wf.workflowId === ids.parse) return true;
      return false;
    });
    const bank = desc.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.BankSource);
    await waitFor('visibility by BankSource and ClientId', async () => {
      for await (const wf of client.workflow.list({ query: `BankSource="${bank}" AND ClientId="acme-7"` })) if (wf.workflowId === ids.parse) return true;
      return false;
    });

    const text = await waitFor('the parse to be counted', async () => {
      const t = await scrape();
      return sample(t, 'statementflow_tasks_finished_total', { task_name: 'parse_pdf_async', status: 'SUCCESS' }) >= 1 && t;
    });
    assert.equal(sample(text, 'statementflow_tasks_open', { task_name: 'parse_pdf_async', queue: 'pdf_processing', status: 'PENDING' }), 0);
  });

  it('a failed task carries its error code as the failure type, with the stack in its history', async () => {
    ids.failing = await upload(Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n'), 'broken.pdf');
    const handle = client.workflow.getHandle(ids.failing);
    const err = await handle.result().then(
      () => assert.fail('the broken PDF parsed'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError);
    const failure = err.cause as ApplicationFailure;
    assert.ok(failure instanceof ApplicationFailure);
    const r = await row(ids.failing);
    assert.equal(r.status, 'FAILED');
    assert.equal(failure.type, r.error.code, 'the Web UI shows the same code as GET /tasks/{id}/status');
    assert.match(failure.type!, /^[A-Z][A-Z0-9_]+$/);
    assert.equal((await handle.describe()).status.name, 'FAILED');
    // The activity failure with its stack: the ActivityTaskFailed event in the history.
    const history = await handle.fetchHistory();
    const failed = history.events!.map((e) => e.activityTaskFailedEventAttributes).find(Boolean);
    assert.ok(failed?.failure, 'an ActivityTaskFailed event');
    assert.equal(failed.failure.applicationFailureInfo?.type, r.error.code);
    assert.ok((failed.failure.stackTrace ?? '').length > 0, 'the failure carries a stack trace');
    await waitFor('visibility: ExecutionStatus="Failed"', async () => {
      for await (const wf of client.workflow.list({ query: `TaskName="parse_pdf_async" AND UserId="${USER}" AND ExecutionStatus="Failed"` })) {
        if (wf.workflowId === ids.failing) return true;
      }
      return false;
    });
  });

  it('API log lines are JSON with user_id, and task_id wherever the request concerns a task', async () => {
    const requests = api.lines.filter((l) => l.msg === 'request');
    assert.ok(requests.length > 0);
    for (const l of requests.filter((x) => typeof x.route === 'string' && x.route.startsWith('/tasks/:id'))) {
      assert.ok(l.task_id && l.user_id === USER, JSON.stringify(l));
    }
    const submissions = requests.filter((l) => l.method === 'POST' && l.status === 202);
    assert.equal(submissions.length, 3);
    for (const l of submissions) assert.ok(l.task_id && l.user_id === USER, JSON.stringify(l));
    for (const l of api.lines.filter((x) => x.msg === 'task submitted')) assert.ok(l.task_id && l.user_id === USER);
    assert.ok(api.lines.every((l) => typeof l.time === 'string' && typeof l.level === 'string' && l.service === 'api'));
  });
});
