/**
 * Bulk categorization: N transactions (default 1,000,000) in one session, 100 rules of
 * mixed kinds, run as the workflow's activities run them: the undo snapshot and seq range
 * (recordCategoryUndo), chunk after chunk of `chunk` seqs (default: CATEGORIZE_CHUNK_ROWS'
 * default), each applied in `parts` slices at once (default: as the activity does), the
 * count by category and forgetting the snapshot. Then a second run over the categorized
 * session that changes every category it sets and is restored as after a failure (the
 * undo's cost when there is something to keep), and the same rules evaluated row by row in
 * TypeScript over the same rows streamed from a server-side cursor. Prints seconds, rows/s,
 * table and index pages (HOT updates grow neither), and checks that both paths gave every
 * row the same category and that the restore put every category back.
 *
 * Run: `npx tsx bench/categorize.bench.ts [rows] [chunk] [parts]`. Uses the test harness'
 * database (test/support/postgres.ts: an embedded Postgres in a temp dir, fsync off, or a
 * fresh database on TEST_DATABASE_URL), stopped at the end. Target: a run's database work
 * ≤ 10 s.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { PARTS_PER_CHUNK } from '../activities/bulk-categorize';
import { applyRulesToRange, applyRulesToRangeInParts, countByCategory, recordCategoryUndo, settleCategoryUndo } from '../db/categories';
import { compileRuleSet, validateRuleSet, type CompiledRuleSet, type Condition } from '../domain/rules';
import { prepareEvaluator } from '../test/support/rules/evaluate';
import { testConfig } from '../test/support/fixtures';
import { getTestDb, stopTestPostgres } from '../test/support/postgres';

const PREFIXES = ['POS PURCHASE', 'DEBIT ORDER', 'EFT PAYMENT', 'Card Purchase', 'ATM WITHDRAWAL', 'SALARY', 'INTEREST', 'MONTHLY FEE', 'TRANSFER', 'REFUND'];
const MERCHANTS = [
  'WOOLWORTHS', 'CHECKERS', 'PICK N PAY', 'SHELL', 'ENGEN', 'UBER', 'NETFLIX', 'ESKOM', 'VODACOM', 'TAKEALOT', 'SPAR', 'MR PRICE',
  'DISCOVERY', 'CITY OF CPT', 'NANDOS', 'STARBUCKS', 'BP', 'SASOL', 'DIS-CHEM', 'CLICKS', 'MTN', 'TELKOM', 'OUTSURANCE', 'SANLAM',
  'builders warehouse', 'game stores', 'cotton on', 'h&m', 'kfc', 'steers', 'wimpy', 'spotify',
];

const sqlText = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(',')}]`;

export async function load(db: Knex, sessionId: string, rows: number): Promise<number> {
  const started = Date.now();
  await db('sessions').insert({ id: sessionId, user_id: 'bench', status: 'READY' });
  await db.raw(
    `INSERT INTO transactions (session_id, seq, date, description, amount, balance)
     SELECT ?::uuid, g,
            DATE '2023-01-01' + (h % 730)::int,
            (${sqlText(PREFIXES)})[1 + h % ${PREFIXES.length}] || ' ' ||
            (${sqlText(MERCHANTS)})[1 + (h / 16) % ${MERCHANTS.length}] || ' REF' || lpad((h % 1000000)::text, 6, '0'),
            ((h % 600000) - 450000) / 100.0,
            CASE WHEN h % 20 = 0 THEN NULL ELSE ((h / 7) % 10000000) / 100.0 END
       FROM (SELECT g, hashint4(g)::bigint & 2147483647 AS h FROM generate_series(1, ?::int) AS g) AS s`,
    [sessionId, rows],
  );
  await db.raw('ANALYZE transactions');
  return (Date.now() - started) / 1000;
}

/** 100 rules: about a third of the rows match none and run through all of them. */
export function ruleSet(): unknown {
  const d = (op: string, value: unknown): Condition => ({ field: 'description', op, value }) as Condition;
  const rules: { category: string; conditions: Condition }[] = [];
  MERCHANTS.slice(0, 20).forEach((m, i) => rules.push({ category: `Merchant ${i}`, conditions: d('contains', m.toLowerCase()) }));
  for (let i = 0; i < 20; i++) rules.push({ category: `Absent ${i}`, conditions: d('contains', `zz merchant ${i}`) });
  for (let i = 0; i < 10; i++) rules.push({ category: `Prefix ${i}`, conditions: d('starts_with', `${PREFIXES[i].toLowerCase()} nobody${i}`) });
  for (let i = 0; i < 5; i++) rules.push({ category: `Suffix ${i}`, conditions: d('ends_with', `ref${String(i * 111111).padStart(6, '0')}`) });
  for (let i = 0; i < 5; i++) rules.push({ category: `Exact ${i}`, conditions: d('equals', `salary acme ${i}`) });
  for (let i = 0; i < 5; i++) rules.push({ category: `List ${i}`, conditions: d('in', Array.from({ length: 10 }, (_, k) => `interest ref${i}${k}`)) });
  const regexes = ['^eft payment\\s+(?:uber|bolt)\\b', '\\bspotify\\b', 'ref99\\d{4}$', '^atm\\s+withdrawal\\s+kfc', '(?:wimpy|steers)\\s+ref0',
    '^refund\\s', 'h&m ref[0-4]', '^monthly fee\\s+cotton', '\\bgame stores ref1\\d+', 'builders\\s+warehouse\\s+ref2'];
  regexes.forEach((r, i) => rules.push({ category: `Regex ${i}`, conditions: d('regex', r) }));
  for (let i = 0; i < 10; i++) rules.push({ category: `Amount ${i}`, conditions: { field: 'amount', op: 'between', value: [-4000 + i * 10, -4000 + i * 10 + 1.5] } });
  for (let i = 0; i < 5; i++) {
    rules.push({
      category: `Dated ${i}`,
      conditions: { all: [{ field: 'date', op: 'between', value: [`2023-0${i + 1}-01`, `2023-0${i + 1}-03`] }, d('starts_with', 'transfer')] },
    });
  }
  for (let i = 0; i < 5; i++) {
    rules.push({ category: `Balance ${i}`, conditions: { all: [{ field: 'balance', op: 'lt', value: 100 + i }, { not: { field: 'amount', op: 'gt', value: 0 } }] } });
  }
  for (let i = 0; i < 5; i++) {
    rules.push({
      category: `Nested ${i}`,
      conditions: { any: [{ all: [d('contains', 'sanlam'), { not: d('regex', `ref${i}`) }] }, { all: [d('starts_with', 'salary'), { field: 'amount', op: 'gt', value: 1000 * i }] }] },
    });
  }
  // Spread the matching rules through the list, deterministically.
  const order = rules.map((r, i) => ({ r, k: (i * 2654435761) % 4294967296 })).sort((a, b) => a.k - b.k);
  return { rules: order.map((o) => o.r) };
}

async function streamRows(db: Knex, sessionId: string, each: (row: { seq: number; description: string; amount: number; balance: number | null; date: string; category: string | null }) => void): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw(
      `DECLARE bench_cur NO SCROLL CURSOR FOR
       SELECT seq, description, amount::text AS amount, balance::text AS balance, date::text AS date, category
         FROM transactions WHERE session_id = ?::uuid ORDER BY seq`,
      [sessionId],
    );
    for (;;) {
      const res = (await trx.raw('FETCH 10000 FROM bench_cur')) as { rows: { seq: number; description: string; amount: string; balance: string | null; date: string; category: string | null }[] };
      if (res.rows.length === 0) break;
      for (const r of res.rows) {
        each({ seq: r.seq, description: r.description, amount: Number(r.amount), balance: r.balance === null ? null : Number(r.balance), date: r.date, category: r.category });
      }
    }
  });
}

const seconds = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e9;

async function timed<T>(fn: () => Promise<T>): Promise<{ out: T; s: number }> {
  const t = process.hrtime.bigint();
  const out = await fn();
  return { out, s: seconds(t) };
}

/** Pages of the table and of its indexes: HOT updates grow neither, moved rows grow both. */
async function pages(db: Knex): Promise<string> {
  const { rows } = (await db.raw(
    `select pg_relation_size('transactions') / 8192 as heap, pg_indexes_size('transactions') / 8192 as idx`,
  )) as { rows: { heap: string; idx: string }[] };
  return `${rows[0].heap} table + ${rows[0].idx} index pages`;
}

/** Applies the rules chunk after chunk, each in `parts` slices at once, as the workflow's activities do. */
async function applyInChunks(db: Knex, sessionId: string, rows: number, chunk: number, parts: number, compiled: CompiledRuleSet) {
  let updated = 0;
  let slowest = 0;
  for (let from = 1; from <= rows; from += chunk) {
    const t = process.hrtime.bigint();
    const args = { sessionId, seqFrom: from, seqTo: Math.min(rows, from + chunk - 1), compiled, statementTimeoutMs: 60_000 };
    updated += (await applyRulesToRangeInParts(db, args, parts)).updated;
    slowest = Math.max(slowest, seconds(t));
  }
  return { updated, slowest };
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const chunk = Number(process.argv[3] ?? testConfig().rules.chunkRows);
  const parts = Number(process.argv[4] ?? PARTS_PER_CHUNK);
  const db = await getTestDb();
  try {
    const sessionId = randomUUID();
    const loadS = await load(db, sessionId, rows);
    console.log(`loaded ${rows} rows in ${loadS.toFixed(1)} s (${await pages(db)})`);

    const rs = validateRuleSet(ruleSet(), { maxRules: 500 });
    const compiled = compileRuleSet(rs);
    const taskId = randomUUID();
    const prepare = await timed(() => recordCategoryUndo(db, taskId, sessionId));
    const sql = await timed(() => applyInChunks(db, sessionId, rows, chunk, parts, compiled));
    const count = await timed(() => countByCategory(db, sessionId));
    const settle = await timed(() => settleCategoryUndo(db, taskId, sessionId, false));
    const { updated, slowest } = sql.out;
    console.log(`prepare (undo snapshot of a fresh session + seq range): ${prepare.s.toFixed(2)} s`);
    console.log(`SQL: ${rs.rules.length} rules, ${Math.ceil(rows / chunk)} chunks of ${chunk} in ${parts} parts at once: ${sql.s.toFixed(2)} s (${Math.round(rows / sql.s)} rows/s, slowest chunk ${slowest.toFixed(2)} s), ${updated} rows updated, ${count.out.uncategorized} matched no rule, ${compiled.bindings.length} bindings; now ${await pages(db)}`);
    console.log(`count by category: ${count.s.toFixed(2)} s; forget the snapshot: ${settle.s.toFixed(2)} s`);
    console.log(`a run's database work (prepare + chunks + count + settle): ${(prepare.s + sql.s + count.s + settle.s).toFixed(2)} s`);

    let started = process.hrtime.bigint();
    const rerun = await applyRulesToRange(db, { sessionId, seqFrom: 1, seqTo: rows, compiled, statementTimeoutMs: 120_000 });
    console.log(`SQL re-run over all rows in one statement (idempotent, nothing to write): ${seconds(started).toFixed(2)} s, ${rerun.updated} updated`);

    // A second run over the categorized session that changes every category it sets, then
    // fails: what the undo costs when there are categories to keep, and the restore (the
    // comparison with the TS evaluator below then checks every restored row).
    const before = await countByCategory(db, sessionId);
    const renamed = { rules: (ruleSet() as { rules: { category: string }[] }).rules.map((r) => ({ ...r, category: `${r.category} (2)` })) };
    const failedTask = randomUUID();
    const snapshot = await timed(() => recordCategoryUndo(db, failedTask, sessionId));
    const second = await timed(() => applyInChunks(db, sessionId, rows, chunk, parts, compileRuleSet(validateRuleSet(renamed, { maxRules: 500 }))));
    const restore = await timed(() => settleCategoryUndo(db, failedTask, sessionId, true));
    const restored = JSON.stringify(await countByCategory(db, sessionId)) === JSON.stringify(before);
    console.log(`undo snapshot of ${before.categorized} categories: ${snapshot.s.toFixed(2)} s; second run (${second.out.updated} rows changed): ${second.s.toFixed(2)} s; restore after its failure: ${restore.s.toFixed(2)} s; every category back: ${restored}; now ${await pages(db)}`);
    if (!restored) process.exitCode = 1;

    const evaluate = prepareEvaluator(rs);
    let evalNs = 0n;
    let mismatches = 0;
    let n = 0;
    started = process.hrtime.bigint();
    await streamRows(db, sessionId, (row) => {
      const t = process.hrtime.bigint();
      const category = evaluate({ ...row, category: null });
      evalNs += process.hrtime.bigint() - t;
      n++;
      if (category !== row.category) mismatches++;
    });
    const tsS = seconds(started);
    const evalS = Number(evalNs) / 1e9;
    console.log(`TS: ${n} rows streamed and evaluated in ${tsS.toFixed(2)} s (evaluation alone ${evalS.toFixed(2)} s, ${Math.round(n / evalS)} rows/s); ${mismatches} rows where TS and SQL disagree`);
    console.log(`ratio TS (stream + evaluate) / SQL: ${(tsS / sql.s).toFixed(2)}; evaluation alone / SQL: ${(evalS / sql.s).toFixed(2)}`);
    if (mismatches > 0) process.exitCode = 1;
  } finally {
    await stopTestPostgres();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
    void stopTestPostgres();
  });
}
