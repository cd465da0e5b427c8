/**
 * Small-statement latency and burst throughput through the REST API of `npm start` on
 * embedded defaults, as a user meets them: the bench starts the service (scripts/start.ts
 * in a fresh DATA_DIR, its own Postgres and Temporal), takes a token from POST /dev/token,
 * then
 *   - latency: uploads one statement at a time, `runs` times, and times upload → SUCCESS
 *     seen on the SSE stream of GET /tasks/{id}/events (p50, p95, max);
 *   - burst: `burst` uploads sent at once, throughput = completed / (last SUCCESS − first send).
 * Every task must end SUCCESS with the expected row count, or the bench fails.
 *
 *   - large: a generated statement of `large` pages (0 = skip), upload → SUCCESS, pages/s.
 *
 *   npx tsx bench/latency.bench.ts [file.pdf] [--runs=30] [--burst=20] [--users=1] [--large=500] [--gap=0]
 *
 * `--timeline` also prints the long statement's activities one by one: when each started
 * and closed, in seconds from the workflow's start (where the steps wait on each other).
 *
 * `--gap=S` waits S seconds between the one-at-a-time uploads (a user who uploads now and
 * then, not back to back: past 30 s the worker has stopped its idle pdf.js thread).
 *
 * Without a file it uses a generated 4-page FNB statement of 161 rows. `--users=N` spreads
 * the burst over N users (per-user upload limits apply to each).
 * BENCH_SERVICE_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof' adds V8 flags to the
 * service's process (a profile of the API and worker under the burst).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../devenv/paths';
import { getFreePort } from '../devenv/processes';
import { embeddedEnv, freeEmbeddedPorts, tempDataDir } from '../test/support/embedded-env';
import { fnbEnglish } from '../test/fixtures/statements/styles/fnb';
import { generateStatement, largeStatement } from '../test/fixtures/statements';
import { historyBreakdown } from './support/history';
import { waitTerminal } from './support/task-events';

const TSX_CLI = path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

function arg(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function startService(): Promise<{ child: ChildProcess; base: string; dataDir: string; temporalAddress: string }> {
  const dataDir = tempDataDir('latency');
  const port = await getFreePort();
  const ports = await freeEmbeddedPorts();
  const env = embeddedEnv(dataDir, ports, { PORT: String(port), WORKER_METRICS_PORT: '0', LOG_LEVEL: 'warn' });
  const flags = (process.env.BENCH_SERVICE_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  // As `npm start` runs it (the tsx CLI); with flags, node itself with tsx's loader, so they reach the service.
  const args = flags.length ? [...flags, '--import', 'tsx', 'scripts/start.ts'] : [TSX_CLI, 'scripts/start.ts'];
  const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
  const deadline = Date.now() + 300_000;
  while (!out.includes('Statementflow is running.')) {
    if (child.exitCode !== null) throw new Error(`npm start exited:\n${out}`);
    if (Date.now() > deadline) throw new Error(`npm start not running after 300 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, base: `http://127.0.0.1:${port}`, dataDir, temporalAddress: `127.0.0.1:${ports.temporal}` };
}

async function stopService(s: { child: ChildProcess; dataDir: string }): Promise<void> {
  const exited = new Promise((r) => s.child.once('exit', r));
  process.kill(-s.child.pid!, 'SIGINT');
  await exited;
  fs.rmSync(s.dataDir, { recursive: true, force: true });
}

async function main() {
  const file = process.argv.slice(2).find((a) => !a.startsWith('--'));
  const runs = arg('runs', 30);
  const burst = arg('burst', 20);
  const users = arg('users', 1);
  const largePages = arg('large', 500);
  const gapMs = arg('gap', 0) * 1000;
  let pdf: Uint8Array;
  let expectedRows: number | null;
  if (file) {
    pdf = fs.readFileSync(file);
    expectedRows = null; // the first parse's count is the reference for the others
  } else {
    const g = await generateStatement({ style: fnbEnglish, seed: 11, start: { year: 2024, month: 3, day: 1 }, end: { year: 2024, month: 3, day: 31 }, count: 161, openingCents: 250_000 });
    pdf = g.pdf;
    expectedRows = g.truth.transactions.length;
    console.log(`statement: generated, ${g.pages} pages, ${expectedRows} rows, ${(pdf.length / 1024).toFixed(0)} KB`);
  }

  const service = await startService();
  const { base } = service;
  try {
    const tokens: string[] = [];
    for (let u = 0; u < users; u++) {
      const res = await fetch(`${base}/dev/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user_id: `bench-${u}` }) });
      tokens.push(((await res.json()) as { access_token: string }).access_token);
    }

    /** Upload → SUCCESS: the submission, then the task's SSE stream until its terminal event. */
    const parseOnce = async (token: string, file = pdf, rowsWanted: number | null = null): Promise<{ taskId: string; sentAt: number; acceptedAt: number; doneAt: number }> => {
      const sentAt = performance.now();
      const form = new FormData();
      form.append('file', new Blob([file], { type: 'application/pdf' }), 'statement.pdf');
      // The same file again would be answered at once as a duplicate: every upload is a parse here.
      form.append('reparse', 'true');
      const sub = await fetch(`${base}/upload_pdf_async`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${token}` } });
      const body = (await sub.json()) as { task_id: string };
      if (sub.status !== 202) throw new Error(`upload answered ${sub.status}: ${JSON.stringify(body)}`);
      const acceptedAt = performance.now();
      await waitTerminal(base, token, body.task_id);
      const doneAt = performance.now();
      const result = (await (await fetch(`${base}/tasks/${body.task_id}/result`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
        status: string;
        result?: { transaction_count: number };
        error?: unknown;
      };
      if (result.status !== 'SUCCESS') throw new Error(`task ${body.task_id} ended ${result.status}: ${JSON.stringify(result.error)}`);
      const rows = result.result!.transaction_count;
      if (rowsWanted === null && expectedRows === null) expectedRows = rows;
      const wanted = rowsWanted ?? expectedRows;
      if (rows !== wanted) throw new Error(`task ${body.task_id} read ${rows} rows, expected ${wanted}`);
      return { taskId: body.task_id, sentAt, acceptedAt, doneAt };
    };

    // Warm-up: the first parse loads pdf.js and fills the worker's caches.
    for (let i = 0; i < 3; i++) await parseOnce(tokens[0]);

    const latencies: number[] = [];
    const accepts: number[] = [];
    for (let i = 0; i < runs; i++) {
      if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      const { sentAt, acceptedAt, doneAt } = await parseOnce(tokens[0]);
      latencies.push(doneAt - sentAt);
      accepts.push(acceptedAt - sentAt);
    }
    latencies.sort((a, b) => a - b);
    accepts.sort((a, b) => a - b);
    console.log(
      `latency, one at a time (${runs} runs${gapMs ? `, ${gapMs / 1000} s apart` : ''}, ${expectedRows} rows): p50 ${(percentile(latencies, 50) / 1000).toFixed(3)} s, ` +
        `p95 ${(percentile(latencies, 95) / 1000).toFixed(3)} s, max ${(latencies[latencies.length - 1] / 1000).toFixed(3)} s; ` +
        `of which upload → 202 p50 ${(percentile(accepts, 50) / 1000).toFixed(3)} s`,
    );

    if (burst > 0) {
      const all = await Promise.all(Array.from({ length: burst }, (_, i) => parseOnce(tokens[i % users])));
      const first = Math.min(...all.map((r) => r.sentAt));
      const last = Math.max(...all.map((r) => r.doneAt));
      const each = all.map((r) => r.doneAt - r.sentAt).sort((a, b) => a - b);
      console.log(
        `burst: ${burst} uploads at once over ${users} user(s): all SUCCESS in ${((last - first) / 1000).toFixed(2)} s = ` +
          `${(burst / ((last - first) / 1000)).toFixed(2)} /s; per task p50 ${(percentile(each, 50) / 1000).toFixed(2)} s, max ${(each[each.length - 1] / 1000).toFixed(2)} s`,
      );
    }

    if (largePages > 0) {
      const big = await largeStatement(largePages);
      const want = big.truth.transactions.length;
      // Once untimed (the first long statement warms what the short ones did not), then timed.
      await parseOnce(tokens[0], big.pdf, want);
      const { taskId, sentAt, doneAt } = await parseOnce(tokens[0], big.pdf, want);
      const s = (doneAt - sentAt) / 1000;
      console.log(`large: ${big.pages} pages, ${want} rows: upload → SUCCESS ${s.toFixed(2)} s = ${(big.pages / s).toFixed(0)} pages/s end to end`);
      console.log(`large, its history: ${await historyBreakdown(service.temporalAddress, taskId, process.argv.includes('--timeline'))}`);
    }
  } finally {
    await stopService(service);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
