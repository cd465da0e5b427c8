/**
 * Times saveStatement alone (db/sessions.ts: the session row, its transactions by COPY, the
 * READY update, one transaction) on the test Postgres (test/support/postgres.ts), for the
 * rows of a generated statement of N pages:
 *
 *   npx tsx bench/save-statement.bench.ts [pages=500] [rounds=6]
 *
 * Each round saves the statement as a new session and removes it afterwards (not timed),
 * so every round meets the same table. Prints each round and the median.
 */
import { randomUUID } from 'node:crypto';
import { saveStatement } from '../db/sessions';
import type { ParsedStatement } from '../domain/statements';
import { largeStatement } from '../test/fixtures/statements';
import { getTestDb, stopTestPostgres } from '../test/support/postgres';

async function main(): Promise<void> {
  const pages = Number(process.argv[2] ?? 500);
  const rounds = Number(process.argv[3] ?? 6);
  const g = await largeStatement(pages);
  // The ground truth as the parser returns it: rows of one literal shape, as
  // parse/resolve.ts builds them (spread copies read measurably slower), and the raw text
  // as long as a parsed row's.
  const parsed: ParsedStatement = {
    bankSource: g.truth.bankSource,
    accountNumber: '62000000001',
    transactions: g.truth.transactions.map((t, i) => ({
      date: t.date,
      page: t.page,
      line: t.line,
      rawText: `${t.date} | ${t.description} | ${t.amountCents} | ${t.balanceCents}`,
      seq: i + 1,
      description: t.description,
      amountCents: t.amountCents,
      balanceCents: t.balanceCents,
    })),
    openingBalanceCents: g.truth.openingBalanceCents,
    closingBalanceCents: g.truth.closingBalanceCents,
    periodStart: g.truth.periodStart,
    periodEnd: g.truth.periodEnd,
    reconciled: true,
    warnings: [],
    skippedRows: [],
  };
  const db = await getTestDb();
  try {
    console.log(`${parsed.transactions.length} rows (${g.pages} pages)`);
    const times: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const sessionId = randomUUID();
      const session = { taskId: randomUUID(), userId: 'bench', sessionId, clientId: null, fileKey: 'bench', fileName: 'bench.pdf', sha256: null };
      const t = performance.now();
      await saveStatement(db, session, parsed);
      times.push(performance.now() - t);
      console.log(`save ${r + 1}: ${Math.round(times[r])} ms`);
      await db('sessions').where({ id: sessionId }).delete();
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`median ${Math.round(sorted[Math.floor(sorted.length / 2)])} ms, min ${Math.round(sorted[0])} ms`);
  } finally {
    await stopTestPostgres();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
