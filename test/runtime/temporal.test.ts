import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { InfraError } from '../../devenv/errors';
import { getFreePort, isAlive } from '../../devenv/processes';
import { CUSTOM_SEARCH_ATTRIBUTES, SEARCH_ATTRIBUTE_KEYS } from '../../contract/search-attributes';
import { startTemporalDevServer, type RunningTemporalDevServer } from '../../devenv/temporal-dev-server';
import { createTimeSkippingEnv, getDevServer, getTimeSkippingEnv, getWorkflowBundle } from '../support/temporal';

/** temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD */
const KEYWORD = 2;

async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('test harness: Temporal dev server', function () {
  this.timeout(120_000);

  it('runs with the custom search attributes registered and usable in visibility queries', async () => {
    const { client, connection, namespace, address } = await getDevServer();
    assert.equal((await getDevServer()).client, client, 'one shared dev server');
    assert.match(address, /^127\.0\.0\.1:\d+$/);

    const ns = await connection.workflowService.describeNamespace({ namespace });
    assert.equal(ns.namespaceInfo?.name, namespace);
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    for (const sa of CUSTOM_SEARCH_ATTRIBUTES) {
      assert.equal(customAttributes?.[sa.name], KEYWORD, `${sa.name} registered as Keyword`);
    }

    // No worker: the workflow just waits for one, which is enough to be listed.
    const workflowId = `runtime-test-${Date.now()}`;
    const handle = await client.workflow.start('runtimeProbeWorkflow', {
      taskQueue: 'runtime-test-no-worker',
      workflowId,
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTE_KEYS.TaskName, value: 'parse_pdf_async' },
        { key: SEARCH_ATTRIBUTE_KEYS.UserId, value: 'user-42' },
      ],
    });
    try {
      const found = await eventually(async () => {
        for await (const wf of client.workflow.list({ query: `TaskName = "parse_pdf_async" AND UserId = "user-42" AND WorkflowId = "${workflowId}"` })) {
          return wf;
        }
        return undefined;
      });
      assert.equal(found.workflowId, workflowId);
    } finally {
      await handle.terminate('test done');
    }
  });
});

describe('runtime: Temporal dev server', function () {
  this.timeout(120_000);
  let dir: string;
  let server: RunningTemporalDevServer | undefined;
  let connection: Connection | undefined;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'statementflow-test-temporal-'));
  });
  after(async () => {
    await connection?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps workflows across a restart (SQLite file), and refuses a second server on the same file', async () => {
    const dbFilename = path.join(dir, 'temporal.db');
    const port = await getFreePort();
    server = await startTemporalDevServer({ dbFilename, port, uiPort: null });
    connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: server.namespace });
    const workflowId = `survives-restart-${Date.now()}`;
    await client.workflow.start('runtimeProbeWorkflow', {
      taskQueue: 'runtime-test-no-worker',
      workflowId,
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTE_KEYS.BankSource, value: 'fnb' }],
    });

    const err = await startTemporalDevServer({ dbFilename, port: await getFreePort(), uiPort: null }).then(
      () => assert.fail('second server started'),
      (e: unknown) => e as Error,
    );
    assert.ok(err instanceof InfraError);
    assert.match(err.message, /another Temporal dev server \(pid \d+\) is already using .*temporal\.db/);

    await connection.close();
    connection = undefined;
    const firstPid = server.pid;
    await server.stop();
    assert.equal(isAlive(firstPid), false, 'stopped process is gone');

    server = await startTemporalDevServer({ dbFilename, port, uiPort: null });
    connection = await Connection.connect({ address: server.address });
    const again = new Client({ connection, namespace: server.namespace });
    const desc = await again.workflow.getHandle(workflowId).describe();
    assert.equal(desc.status.name, 'RUNNING');
    assert.equal(desc.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS.BankSource), 'fnb');
    await again.workflow.getHandle(workflowId).terminate('test done');
  });

  it('fails with one clear line when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await assert.rejects(
        startTemporalDevServer({ port, uiPort: null }),
        (e: unknown) =>
          e instanceof InfraError &&
          e.message === `Temporal dev server: port ${port} on 127.0.0.1 is already in use (set TEMPORAL_PORT to use another port)`,
      );
    } finally {
      blocker.close();
    }
  });

  it('reports a server that dies during start', async () => {
    const fake = path.join(dir, 'fake-temporal');
    fs.writeFileSync(fake, '#!/bin/sh\necho "level=ERROR msg=\\"boom: cannot open db\\"" >&2\nexit 3\n', { mode: 0o755 });
    await assert.rejects(
      startTemporalDevServer({ cliPath: fake, port: await getFreePort(), uiPort: null, readyTimeoutMs: 10_000 }),
      /Temporal dev server failed to start on 127\.0\.0\.1:\d+: the server exited \(code 3\) before it was ready \(server said: .*boom: cannot open db/,
    );
  });
});

describe('test harness: time-skipping environment', function () {
  this.timeout(120_000);

  it('starts the test server and skips time', async () => {
    // Its own server: the shared one skips no time while another test's activity runs.
    const env = await createTimeSkippingEnv();
    try {
      assert.equal(env.supportsTimeSkipping, true);
      const before = await env.currentTimeMs();
      // Two days pass on the server; were they waited, the test's timeout would end it.
      await env.sleep('2 days');
      const after = await env.currentTimeMs();
      assert.ok(after - before >= 2 * 24 * 3600 * 1000, 'two days passed on the test server');
      assert.equal(await getTimeSkippingEnv(), await getTimeSkippingEnv(), 'one shared env');
    } finally {
      await env.teardown();
    }
  });

  it('has the custom search attributes registered', async () => {
    const env = await getTimeSkippingEnv();
    const handle = await env.client.workflow.start('runtimeProbeWorkflow', {
      taskQueue: 'runtime-test-no-worker',
      workflowId: `time-skipping-sa-${Date.now()}`,
      typedSearchAttributes: CUSTOM_SEARCH_ATTRIBUTES.map((sa) => ({ key: SEARCH_ATTRIBUTE_KEYS[sa.name], value: `v-${sa.name}` })),
    });
    try {
      const desc = await handle.describe();
      for (const sa of CUSTOM_SEARCH_ATTRIBUTES) assert.equal(desc.typedSearchAttributes.get(SEARCH_ATTRIBUTE_KEYS[sa.name]), `v-${sa.name}`);
    } finally {
      await handle.terminate('test done');
    }
  });
});

describe('test harness: workflow bundle', function () {
  this.timeout(120_000);

  it('bundles workflows/ once per run', async () => {
    const bundle = await getWorkflowBundle();
    assert.ok(bundle.code.length > 1000);
    assert.equal(await getWorkflowBundle(), bundle, 'cached');
  });
});
