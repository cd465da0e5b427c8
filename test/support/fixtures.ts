/**
 * Test data and configuration shared by integration tests: a config with short retry
 * intervals, sessions seeded straight into Postgres, and a worker factory.
 */
import { randomUUID } from 'node:crypto';
import { signUserToken } from '../../api/middleware/auth';
import type { Knex } from 'knex';
import { loadConfig, type Config } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { assignFitids, fitidScope } from '../../domain/statements/fitid';

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    // Tests stand in for `npm start`'s development stack, which turns the token endpoint on.
    DEV_TOKEN_ENDPOINT: env.NODE_ENV === 'production' ? 'false' : 'true',
    JWT_SECRET: 'test-secret-0123456789abcdef0123456789',
    FILE_SECRET_KEY: 'test-file-key-0123456789abcdef0123456789',
    RETRY_INITIAL_INTERVAL_SECONDS: '60',
    PROGRESS_MIRROR_INTERVAL_MS: '0',
    ACTIVITY_HEARTBEAT_TIMEOUT_SECONDS: '2',
    LOG_LEVEL: 'error',
    ...env,
  });
}

export function tokenFor(config: Config, userId: string, expiresIn = 3600): string {
  return signUserToken(config, userId, expiresIn);
}

export interface SeedRow {
  date?: string;
  description: string;
  amount: number;
  balance?: number | null;
  category?: string | null;
}

/** A READY session owned by `userId` with the given transactions (seq 1..n). */
export async function seedSession(db: Knex, userId: string, rows: SeedRow[], extra: Record<string, unknown> = {}): Promise<string> {
  const id = randomUUID();
  await db('sessions').insert({
    id,
    user_id: userId,
    status: 'READY',
    bank_source: 'Test Bank',
    file_name: 'test.pdf',
    transaction_count: rows.length,
    ...extra,
  });
  // Ids as a parse gives them, so seeded rows read like parsed ones.
  const fitids = assignFitids(
    fitidScope(String(extra.bank_source ?? 'Test Bank'), null),
    rows.map((r) => ({ date: r.date ?? '2024-03-01', description: r.description, amountCents: Math.round(r.amount * 100), balanceCents: r.balance == null ? null : Math.round(r.balance * 100) })),
  );
  for (let i = 0; i < rows.length; i += 5000) {
    await db('transactions').insert(
      rows.slice(i, i + 5000).map((r, j) => ({
        fitid: fitids[i + j],
        session_id: id,
        seq: i + j + 1,
        date: r.date ?? '2024-03-01',
        description: r.description,
        amount: r.amount.toFixed(2),
        balance: r.balance === undefined || r.balance === null ? null : r.balance.toFixed(2),
        category: r.category ?? null,
      })),
    );
  }
  return id;
}

/** A generated session of `n` rows cycling through a few recognisable descriptions. */
export function generatedRows(n: number): SeedRow[] {
  const kinds = [
    { description: 'SALARY ACME LTD', amount: 25000 },
    { description: 'WOOLWORTHS FOOD', amount: -845.3 },
    { description: 'ENGEN FUEL', amount: -720 },
    { description: 'MONTHLY ACCOUNT FEE', amount: -65 },
    { description: 'RENT PAYMENT', amount: -9500 },
  ];
  let balance = 1000;
  return Array.from({ length: n }, (_, i) => {
    const k = kinds[i % kinds.length];
    balance = Math.round((balance + k.amount) * 100) / 100;
    const day = String((i % 28) + 1).padStart(2, '0');
    return { date: `2024-03-${day}`, description: k.description, amount: k.amount, balance };
  });
}

/** Errors only, to stderr: a test that fails shows why the service refused. */
export const testLogger = createLogger('error', { service: 'test' }, (line) => process.stderr.write(line + '\n'));
