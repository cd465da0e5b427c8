/**
 * `npm run parse -- file.pdf`: a local statement read with no servers, through the same
 * steps as the parse workflow. The summary names the bank, the rows and whether it
 * reconciles; --json and --csv print the transactions; a document that is no statement
 * is refused with its code and exit 2, a statement that is not proven exits 1.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../devenv/paths';
import { FIXTURES, generateStatement, invoicePdf, type GeneratedStatement } from '../fixtures/statements';

describe('runtime: npm run parse', function () {
  this.timeout(120_000);
  let dir: string;
  let g: GeneratedStatement;
  let file: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sf-parse-'));
    g = await generateStatement({ ...FIXTURES.find((s) => s.style.name === 'capitec')!, count: 60 });
    file = path.join(dir, 'statement.pdf');
    fs.writeFileSync(file, g.pdf);
    fs.writeFileSync(path.join(dir, 'invoice.pdf'), await invoicePdf());
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const parse = (...args: string[]) =>
    spawnSync(process.execPath, ['--require', 'tsx/cjs', 'scripts/parse.ts', ...args], { cwd: PROJECT_ROOT, env: process.env, encoding: 'utf8', timeout: 100_000 });

  it('prints the bank, the rows, the balances and that it reconciles', () => {
    const r = parse(file);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^bank +${g.truth.bankSource}$`, 'm'));
    assert.match(r.stdout, new RegExp(`^rows +${g.truth.transactions.length} `, 'm'));
    assert.match(r.stdout, new RegExp(`^period +${g.truth.periodStart} to ${g.truth.periodEnd}$`, 'm'));
    assert.match(r.stdout, /^reconciled +yes$/m);
  });

  it('prints the transactions as JSON and as CSV', () => {
    const json = parse(file, '--json');
    assert.equal(json.status, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { transactions: { date: string; amountCents: number; balanceCents: number | null }[] };
    assert.deepEqual(
      parsed.transactions.map((t) => [t.date, t.amountCents, t.balanceCents]),
      g.truth.transactions.map((t) => [t.date, t.amountCents, t.balanceCents]),
    );
    const csv = parse(file, '--csv');
    assert.equal(csv.status, 0, csv.stderr);
    const lines = csv.stdout.trimEnd().split('\r\n');
    assert.equal(lines[0], 'seq,date,description,amount,balance,page,line');
    assert.equal(lines.length, g.truth.transactions.length + 1);
    const first = g.truth.transactions[0];
    assert.ok(lines[1].startsWith(`1,${first.date},`), lines[1]);
    assert.ok(lines[1].includes(`,${(first.amountCents / 100).toFixed(2)},`), lines[1]);
  });

  it('refuses a document that is no statement, and a missing file, with exit 2', () => {
    const r = parse(path.join(dir, 'invoice.pdf'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^parse: NOT_A_STATEMENT: /);
    const missing = parse(path.join(dir, 'nope.pdf'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /cannot read .*ENOENT/);
    assert.equal(parse().status, 2);
  });

  it('exits 1 and names the page and line when the statement does not reconcile', async () => {
    const spoilt = await generateStatement({ ...FIXTURES.find((s) => s.style.name === 'capitec')!, count: 60, corruptBalanceAt: 10 });
    const f = path.join(dir, 'spoilt.pdf');
    fs.writeFileSync(f, spoilt.pdf);
    const r = parse(f);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^reconciled +NO$/m);
    assert.match(r.stdout, /^ {2}page \d+, line \d+ {2}BALANCE_MISMATCH /m);
  });
});
