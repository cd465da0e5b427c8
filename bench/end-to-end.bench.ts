/**
 * The three operations end to end, as production runs them: a real Postgres and Temporal
 * dev server, the worker as its own process (`worker/main.ts`, so its RSS is its own), and
 * the API over HTTP. Measures
 *   - parse: a ~500-page statement uploaded → SUCCESS (pages/s, transactions/s);
 *   - categorize: 1,000,000 transactions × 100 mixed rules → SUCCESS;
 *   - report: the same 1,000,000 rows → xlsx → SUCCESS (file size);
 * with the peak RSS of the worker that ran each step sampled during it. Workers run as in
 * production: one process per pool (`--queues=pdf_processing`, `--queues=bulk_operations`,
 * `--queues=reports`), loading the prebuilt workflow bundle (`npm run build:workflows`).
 *
 *   npx tsx bench/end-to-end.bench.ts [pages=500] [rows=1000000] [--timeline]
 *
 * The parse's workflow history is summed per activity type; `--timeline` lists its
 * activities one by one (bench/support/history.ts).
 *   BENCH_WORKER_NODE_FLAGS='--max-old-space-size=256' npx tsx bench/end-to-end.bench.ts   (V8 flags for the workers)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createApp } from '../api/app';
import { loadConfig } from '../platform/config';
import { createDb, migrateLatest } from '../db/knex';
import { FileStore } from '../db/files';
import { silentLogger } from '../platform/logger';
import { getFreePort, startEmbeddedPostgres, startTemporalDevServer } from '../devenv';
import { connectTemporal } from '../platform/temporal-client';
import { largeStatement } from '../test/fixtures/statements';
import { load, ruleSet } from './categorize.bench';
import { tokenFor } from '../test/support/fixtures';
import { PREBUILT_BUNDLE } from '../worker/workflow-source';
import { historyBreakdown } from './support/history';
import { waitTerminal } from './support/task-events';

const ROOT = path.resolve(__dirname, '..');

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function main() {
  const [pagesArg, rowsArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const pages = Number(pagesArg ?? 500);
  const rows = Number(rowsArg ?? 1_000_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'statementflow-bench-'));
  fs.chmodSync(tmp, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: tmp, port: await getFreePort(), ephemeral: true });
  const temporal = await startTemporalDevServer({ port: await getFreePort(), uiPort: null, namespace: 'default' });
  const env = { DATABASE_URL: pg.databaseUrl, TEMPORAL_ADDRESS: temporal.address, JWT_SECRET: 'bench-secret-0123456789', LOG_LEVEL: 'warn', WORKER_METRICS_PORT: '0' };
  const config = loadConfig(env);
  if (!fs.existsSync(PREBUILT_BUNDLE)) throw new Error('run `npm run build:workflows` first: production workers load the prebuilt bundle');
  const db = createDb(config.databaseUrl);
  await migrateLatest(db);

  const pools = ['pdf_processing', 'bulk_operations', 'reports'] as const;
  const workers = Object.fromEntries(
    pools.map((q) => [
      q,
      spawn(process.execPath, [...(process.env.BENCH_WORKER_NODE_FLAGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', 'worker/main.ts', '--no-schedules', `--queues=${q}`], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    ]),
  ) as Record<(typeof pools)[number], ReturnType<typeof spawn>>;
  let watched: (typeof pools)[number] = 'pdf_processing';
  let peakKb = 0;
  // BENCH_TRACE=1 prints the watched worker's RSS every half second, to see which step peaks.
  const trace = process.env.BENCH_TRACE === '1';
  let ticks = 0;
  const sampler = setInterval(() => {
    const kb = rssKb(workers[watched].pid!);
    peakKb = Math.max(peakKb, kb);
    if (trace && ticks++ % 5 === 0) console.log(`  [trace] ${watched} RSS ${(kb / 1024).toFixed(0)} MB`);
  }, 100);

  const client = await connectTemporal(config.temporalAddress, config.temporalNamespace);
  const app = createApp({ config, db, temporal: client, files: new FileStore(db), logger: silentLogger });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = tokenFor(config, 'bench');
  const call = async (p: string, init: RequestInit = {}) => {
    const res = await fetch(base + p, { ...init, headers: { Authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
    return { status: res.status, body: (await res.json()) as any };
  };
  // Until the task's SSE stream says it ended (a worker that dies meanwhile fails the bench), then its result.
  const waitDone = async (taskId: string) => {
    let done = false;
    const ended = waitTerminal(base, token, taskId).finally(() => (done = true));
    while (!done) {
      const dead = pools.find((q) => workers[q].exitCode !== null || workers[q].signalCode !== null);
      if (dead) throw new Error(`the ${dead} worker exited (${workers[dead].exitCode ?? workers[dead].signalCode}) during the bench`);
      await Promise.race([ended, new Promise((r) => setTimeout(r, 200))]);
    }
    await ended;
    return (await call(`/tasks/${taskId}/result`)).body;
  };
  const step = async <T>(name: string, pool: (typeof pools)[number], fn: () => Promise<T>) => {
    watched = pool;
    peakKb = rssKb(workers[pool].pid!);
    console.log(`${pool} worker RSS before: ${(peakKb / 1024).toFixed(0)} MB`);
    const t0 = process.hrtime.bigint();
    const out = await fn();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`${name}: ${s.toFixed(2)} s, worker peak RSS ${(peakKb / 1024).toFixed(0)} MB`);
    return { out, s, peakMb: peakKb / 1024 };
  };

  try {
    // Let the worker connect and bundle its workflows before timing anything.
    await new Promise((r) => setTimeout(r, 8000));
    const statement = await largeStatement(pages);
    console.log(`statement: ${statement.pages} pages, ${statement.truth.transactions.length} transactions, ${(statement.pdf.length / 1e6).toFixed(1)} MB`);
    const parse = await step('parse (upload → SUCCESS)', 'pdf_processing', async () => {
      const form = new FormData();
      form.append('file', new Blob([statement.pdf], { type: 'application/pdf' }), 'large.pdf');
      form.append('reparse', 'true'); // measure the parse, not the duplicate answer
      const sub = await call('/upload_pdf_async', { method: 'POST', body: form });
      return waitDone(sub.body.task_id);
    });
    if (parse.out.status !== 'SUCCESS' || parse.out.result.transaction_count !== statement.truth.transactions.length) {
      throw new Error(`parse did not succeed exactly: ${JSON.stringify(parse.out).slice(0, 300)}`);
    }
    console.log(`  ${(statement.pages / parse.s).toFixed(0)} pages/s, ${(statement.truth.transactions.length / parse.s).toFixed(0)} transactions/s, reconciled ${parse.out.result.reconciled}`);
    console.log(`  its history: ${await historyBreakdown(temporal.address, parse.out.task_id, process.argv.includes('--timeline'))}`);

    const sessionId = randomUUID();
    const loadS = await load(db, sessionId, rows);
    await db('sessions').where({ id: sessionId }).update({ transaction_count: rows, file_name: 'bench' });
    console.log(`loaded ${rows} transactions in ${loadS.toFixed(1)} s`);
    const cat = await step(`categorize (${rows} rows × 100 rules)`, 'bulk_operations', async () => {
      const sub = await call(`/bulk_categorize_async?session_id=${sessionId}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(ruleSet()),
      });
      if (sub.status !== 202) throw new Error(JSON.stringify(sub.body));
      return waitDone(sub.body.task_id);
    });
    if (cat.out.status !== 'SUCCESS') throw new Error(JSON.stringify(cat.out).slice(0, 300));
    console.log(`  categorized ${cat.out.result.categorized_count}, uncategorized ${cat.out.result.uncategorized_count}`);

    const rep = await step(`report (${rows} rows → xlsx)`, 'reports', async () => {
      const sub = await call(`/reports/generate_async?session_id=${sessionId}&report_type=excel&include_vat=true`, { method: 'POST' });
      return waitDone(sub.body.task_id);
    });
    if (rep.out.status !== 'SUCCESS') throw new Error(JSON.stringify(rep.out).slice(0, 300));
    console.log(`  ${(rep.out.result.file_size / 1e6).toFixed(1)} MB`);
  } finally {
    clearInterval(sampler);
    for (const w of Object.values(workers)) {
      w.kill('SIGTERM');
      await new Promise((r) => w.once('exit', r));
    }
    server.close();
    await client.connection.close();
    await db.destroy();
    await temporal.stop();
    await pg.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
