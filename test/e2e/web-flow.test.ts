/**
 * The web page in Debian's Chromium against the real service (API + workers on the
 * Temporal dev server + Postgres): sign in with the development token, upload a statement
 * generated for this run, watch the progress bar move (fed by the event stream, with no
 * status polling), page through the transactions, categorize by a rule, cancel a task,
 * generate a report and download it. Screenshots go to test-artifacts/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { generateStatement, type GeneratedStatement } from '../fixtures/statements';
import { lockPdf } from '../fixtures/locked-pdf';
import { absa } from '../fixtures/statements/styles/absa';
import { ARTIFACTS, launchChromium, requireChromium } from './browser';
import { startStack, type Stack } from './stack';
import { generatedRows, seedSession } from '../support/fixtures';

// Code passed to page.evaluate runs in the browser; these names exist there. Declared
// here, in this module only, rather than adding the DOM library to the whole project.
declare const window: any;
declare const document: any;
declare const MutationObserver: any;
declare function getComputedStyle(el: unknown): any;

/** The most common word of the statement's descriptions: a rule that matches several rows. */
function commonWord(statement: GeneratedStatement): string {
  const counts = new Map<string, number>();
  for (const t of statement.truth.transactions) {
    for (const w of new Set(t.description.toUpperCase().split(/[^A-Z]+/).filter((x) => x.length >= 4))) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  const n = statement.truth.transactions.length;
  // Common, but not on every row: the result shows both categorized and uncategorized rows.
  return [...counts.entries()].filter(([, c]) => c < n * 0.8).sort((a, b) => b[1] - a[1])[0][0];
}

async function text(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).textContent()) ?? '';
}

/**
 * Waits until the review's first problem is the one at `at`: the card of the statement
 * selected before may still show while the new one loads (a timeout if it never comes).
 */
async function untilFirstProblemAt(page: Page, at: { page: number; line: number }): Promise<void> {
  const prefix = `Page ${at.page}, line ${at.line}: `;
  await page.waitForFunction((p) => document.querySelector('#review-list li:first-child')?.textContent?.startsWith(p) ?? false, prefix, { timeout: 60_000 });
}

describe('web page, end to end in Chromium', function () {
  this.timeout(240_000);
  let stack: Stack;
  let browser: Browser;
  let statement: GeneratedStatement;
  let pdfPath: string;

  before(async () => {
    requireChromium(); // see test/e2e/browser.ts
    // A statement this repo has never stored: generated now, with a seed no fixture uses.
    statement = await generateStatement({
      style: absa, seed: 90210, start: { year: 2024, month: 6, day: 1 }, end: { year: 2024, month: 6, day: 30 }, count: 130, openingCents: 420_000, feeRate: 0.2,
    });
    [stack, browser] = await Promise.all([startStack(['pdf_processing', 'bulk_operations', 'default']), launchChromium()]);
    pdfPath = path.join(ARTIFACTS, 'e2e-statement.pdf');
    writeFileSync(pdfPath, statement.pdf);
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** A fresh browser context signed in through the development form, collecting the page's script errors. */
  async function signedInPage() {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(stack.api.url);
    await page.locator('#dev-form').waitFor();
    await page.click('#dev-form button');
    await page.locator('#workspace').waitFor();
    return { context, page, problems };
  }

  it('does the whole flow: upload → live progress → transactions → categorize → cancel → report → download', async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));

    await page.goto(stack.api.url);
    // Sign in with the keyboard: the development form submits on Enter.
    await page.locator('#dev-form').waitFor();
    await page.focus('#dev-user');
    await page.keyboard.press('Enter');
    await page.locator('#workspace').waitFor();
    assert.equal(await text(page, '#whoami-text'), 'Signed in as demo-user');

    // Record every progress text the page shows (the bar and its live region move together).
    await page.evaluate(() => {
      const w = window as unknown as { progress: string[] };
      w.progress = [];
      const node = document.getElementById('progress-text')!;
      new MutationObserver(() => w.progress.push(node.textContent ?? '')).observe(node, { childList: true, characterData: true, subtree: true });
    });
    await page.setInputFiles('#upload-file', pdfPath);
    await page.focus('#upload-button');
    await page.keyboard.press('Enter');
    await page.locator('#progress-card[data-status="SUCCESS"]').waitFor({ timeout: 60_000 });
    const progress = await page.evaluate(() => (window as unknown as { progress: string[] }).progress);
    const percents = progress.map((t) => Number(/· (\d+)%/.exec(t)?.[1])).filter((n) => !Number.isNaN(n));
    assert.ok(new Set(percents).size >= 3, `the bar moved through several values: ${progress.join(' | ')}`);
    assert.deepEqual(percents, [...percents].sort((a, b) => a - b), 'never backwards');
    assert.equal(percents[percents.length - 1], 100);
    assert.equal(await page.locator('#progress-bar').evaluate((el) => (el as unknown as { value: number }).value), 100);
    assert.equal(await page.locator('#progress-text').getAttribute('aria-live'), 'polite');

    // The transactions of the new statement, 25 a page.
    const n = statement.truth.transactions.length;
    await page.waitForFunction((total) => document.getElementById('tx-caption')?.textContent?.endsWith(`of ${total}`), n);
    assert.match(await text(page, '#tx-caption'), new RegExp(`rows 1–25 of ${n}$`));
    assert.equal(await page.locator('#tx-table tbody tr').count(), 25);
    assert.equal(await text(page, '#tx-table tbody tr:first-child td:first-child'), statement.truth.transactions[0].date);
    await page.click('#next-page');
    await page.waitForFunction(() => document.getElementById('tx-caption')?.textContent?.includes('rows 26–50'));

    // Categorize by a rule typed into the editor.
    const word = commonWord(statement);
    await page.fill('#rules-list li:first-child [data-role="category"]', 'E2E Category');
    await page.fill('#rules-list li:first-child [data-role="value"]', word);
    // Previewed first: what the rule would change, with the run's own count.
    const expected = statement.truth.transactions.filter((t) => t.description.toUpperCase().includes(word)).length;
    await page.click('#preview-rules');
    await page.locator('#preview-result').waitFor({ state: 'visible' });
    assert.match(await text(page, '#preview-result > ol > li:first-child'), new RegExp(`^E2E Category: would change ${expected} of the ${expected} it matches first`));
    await page.focus('#run-rules');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /categorized/.test(document.getElementById('toast')?.textContent ?? ''), undefined, { timeout: 60_000 });
    const categorized = Number(/^(\d+) categorized/.exec(await text(page, '#toast'))?.[1]);
    assert.equal(categorized, expected, `rule "description contains ${word}"`);
    await page.waitForFunction(() => [...document.querySelectorAll('#tx-table tbody td:last-child')].some((td: any) => td.textContent === 'E2E Category'));

    // Cancel: with no worker on the reports queue the task waits, and the page cancels it.
    await page.selectOption('#report-type', 'csv');
    await page.click('#generate-report');
    await page.locator('#progress-card[data-status="PENDING"]').waitFor();
    await page.click('#cancel-button');
    await page.waitForFunction(() => document.getElementById('toast')?.textContent === 'Task cancelled');
    await stack.startWorker('reports');
    await page.locator('#progress-card[data-status="CANCELLED"]').waitFor({ timeout: 60_000 });

    // The report, then its download (fetch with the token → blob → file).
    await page.click('#generate-report');
    await page.locator('#download-report').waitFor({ state: 'visible', timeout: 60_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-report')]);
    const saved = path.join(ARTIFACTS, `e2e-${download.suggestedFilename()}`);
    await download.saveAs(saved);
    assert.match(download.suggestedFilename(), /\.csv$/);
    const csv = readFileSync(saved, 'utf8');
    assert.ok(csv.split('\n').filter((l) => l.includes('E2E Category')).length >= expected, 'the report has the new categories');

    // Past tasks with their states; the stream, never the status endpoint, fed the page.
    await page.click('#refresh-tasks');
    await page.waitForFunction(() => document.querySelectorAll('#tasks-table tbody tr').length >= 4);
    const states = await page.locator('#tasks-table tbody td:nth-child(2)').allTextContents();
    assert.deepEqual([...states].sort(), ['CANCELLED', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
    assert.deepEqual(requests.filter((r) => /\/status$/.test(r)), [], 'no status polling');
    assert.ok(requests.filter((r) => /\/events$/.test(r)).length >= 4, 'one event stream per task');
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-flow.png'), fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('resumes the progress stream after the connection drops, without missing or repeating events', async () => {
    await stack.stopWorker('reports'); // the task waits, so its stream stays open
    const context = await browser.newContext();
    const page = await context.newPage();
    await seedSession(stack.db, 'demo-user', generatedRows(30), { file_name: 'resume-test.pdf' });
    const reconnects: string[] = [];
    page.on('request', async (r) => {
      if (!/\/events$/.test(new URL(r.url()).pathname)) return;
      const id = (await r.allHeaders())['last-event-id'] ?? new URL(r.url()).searchParams.get('last_event_id');
      if (id) reconnects.push(id);
    });
    await page.goto(stack.api.url);
    await page.locator('#dev-form').waitFor();
    await page.click('#dev-form button');
    await page.locator('#workspace').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#tx-table tbody tr').length > 0);
    await page.evaluate(() => {
      window.progress = [];
      const node = document.getElementById('progress-text');
      new MutationObserver(() => window.progress.push(node.textContent)).observe(node, { childList: true, characterData: true, subtree: true });
    });
    await page.click('#generate-report');
    await page.locator('#progress-card[data-status="PENDING"]').waitFor();
    stack.api.server.closeAllConnections(); // the network drops every open connection
    await page.waitForFunction(() => window.progress.length > 0); // (still showing PENDING)
    const deadline = Date.now() + 10_000;
    while (reconnects.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(reconnects, ['1'], 'EventSource reconnected with Last-Event-ID of the last event it saw');
    await stack.startWorker('reports');
    await page.locator('#progress-card[data-status="SUCCESS"]').waitFor({ timeout: 60_000 });
    const seen: string[] = await page.evaluate(() => window.progress);
    const statuses = seen.map((t) => t.split(' ')[0]).filter((t) => /^[A-Z]+$/.test(t));
    assert.equal(statuses.filter((t) => t === 'PENDING').length, 1, `PENDING shown once: ${seen.join(' | ')}`);
    assert.equal(statuses[statuses.length - 1], 'SUCCESS');
    await context.close();
  });

  it('fits a phone screen and works from the keyboard, with visible focus', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(stack.api.url);
    await page.locator('#dev-form').waitFor();
    await page.focus('#dev-user');
    await page.keyboard.press('Enter');
    await page.locator('#workspace').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#tx-table tbody tr').length > 0);
    // Against the layout width (375 px): a phone zooms out to fit, so innerWidth would grow with the page.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px too wide)`);

    // Tab through the page from where sign-in leaves focus (the main region): every stop
    // is a named control with a visible focus outline, in the page's order.
    const stop = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        const label = el.labels?.[0]?.textContent ?? el.getAttribute('aria-label') ?? el.textContent ?? '';
        return { name: `${el.tagName.toLowerCase()}:${label.trim().replace(/\s+/g, ' ').slice(0, 40)}`, outline: getComputedStyle(el).outlineStyle };
      });
    const forward: { name: string; outline: string }[] = [];
    for (let i = 0; i < 16; i++) {
      await page.keyboard.press('Tab');
      forward.push(await stop());
    }
    for (const s of forward) assert.notEqual(s.outline, 'none', `visible focus on ${s.name}`);
    const names = forward.map((s) => s.name);
    const order = ['input:Statement PDF', 'button:Upload and parse', 'select:Statement', 'button:Next page', 'input:Category', 'button:Remove rule 1'];
    const at = order.map((n) => names.indexOf(n));
    assert.ok(at.every((i, k) => i >= 0 && (k === 0 || i > at[k - 1])), `focus follows the page order: ${names.join(' → ')}`);
    // And backwards from the first control to the skip link.
    await page.focus('#upload-file');
    const backward: string[] = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Shift+Tab');
      backward.push((await stop()).name);
    }
    assert.deepEqual(backward, ['button:Sign out', 'a:API reference', 'a:Skip to content']);
    await page.screenshot({ path: path.join(ARTIFACTS, 'web-phone.png'), fullPage: true });
    await context.close();
  });

  it('asks for the password of a locked statement in the page and uploads it again with it', async () => {
    const lockedPath = path.join(ARTIFACTS, 'e2e-locked-statement.pdf');
    writeFileSync(lockedPath, await lockPdf(statement.pdf, { userPassword: 'e2e-Pass-7', pdfVersion: '1.6' }));
    const context = await browser.newContext();
    const page = await context.newPage();
    let uploads = 0;
    const problems: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/upload_pdf_async') uploads += 1;
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(stack.api.url);
    await page.locator('#dev-form').waitFor();
    await page.click('#dev-form button');
    await page.locator('#workspace').waitFor();
    assert.equal(await page.locator('#password-form').isVisible(), false, 'no password field until a statement needs one');

    await page.setInputFiles('#upload-file', lockedPath);
    await page.click('#upload-button');
    // Locked: the page asks in a labelled field (not a dialog), focused, saying why.
    const field = page.getByLabel('Statement password');
    await field.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await field.getAttribute('type'), 'password');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'upload-password');
    assert.match(await text(page, '#password-why'), /password-protected/);

    // A wrong one: asked again, told it was wrong.
    await field.fill('not-it');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /does not open/.test(document.getElementById('password-why')?.textContent ?? ''), undefined, { timeout: 60_000 });
    assert.ok(await field.isVisible());

    // The right one: parsed, and the field goes away.
    await field.fill('e2e-Pass-7');
    await page.click('#password-button');
    await page.locator('#progress-card[data-status="SUCCESS"]').waitFor({ timeout: 60_000 });
    await page.locator('#password-form').waitFor({ state: 'hidden' });
    // Three uploads of the file: without a password, with the wrong one, with the right one.
    assert.equal(uploads, 3);
    const tasks = await stack.db('task_status').whereRaw(`params->>'file_name' = ?`, ['e2e-locked-statement.pdf']).orderBy('created_at').select('status', 'error');
    assert.deepEqual(
      tasks.map((t) => [t.status, t.error?.code ?? null]),
      [['FAILED', 'PDF_ENCRYPTED'], ['FAILED', 'PDF_PASSWORD_INCORRECT'], ['SUCCESS', null]],
    );
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('shows a statement that does not prove itself in amber, with its problems beside the transactions', async () => {
    const brokenPath = path.join(ARTIFACTS, 'e2e-broken-statement.pdf');
    const broken = await generateStatement({
      style: absa, seed: 90211, start: { year: 2024, month: 7, day: 1 }, end: { year: 2024, month: 7, day: 31 }, count: 90, openingCents: 150_000, corruptBalanceAt: 30,
    });
    writeFileSync(brokenPath, broken.pdf);
    const { context, page, problems } = await signedInPage();

    await page.setInputFiles('#upload-file', brokenPath);
    await page.click('#upload-button');
    // Not the green "SUCCESS": amber, saying what is wrong and that it is not proven.
    await page.locator('#progress-card[data-status="REVIEW"]').waitFor({ timeout: 60_000 });
    assert.equal(await page.getAttribute('#progress-text', 'class'), 'status-REVIEW');
    const said = await text(page, '#progress-text');
    assert.match(said, /^Parsed \d+ rows — not proven: \d+ balance breaks?/);
    const colour = await page.evaluate(() => getComputedStyle(document.getElementById('progress-text')!).color);
    const ok = await page.evaluate(() => {
      const probe = document.createElement('span');
      probe.className = 'status-SUCCESS';
      document.body.append(probe);
      const c = getComputedStyle(probe).color;
      probe.remove();
      return c;
    });
    assert.notEqual(colour, ok, 'not the colour of a proven statement');

    // The review beside the transactions: each problem with its page and line and the row as read.
    await page.locator('#review-card').waitFor({ state: 'visible' });
    assert.match(await text(page, '#review-summary'), /^Not proven: /);
    const at = broken.corrupted![0];
    await untilFirstProblemAt(page, at);
    const first = await text(page, '#review-list li:first-child');
    assert.ok(first.startsWith(`Page ${at.page}, line ${at.line}: `), first);
    assert.match(await page.locator('#session-select option:checked').innerText(), /not proven/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('proves a statement once its misread balance is corrected on the page, with the keyboard', async () => {
    const brokenPath = path.join(ARTIFACTS, 'e2e-fixable-statement.pdf');
    const broken = await generateStatement({
      style: absa, seed: 90212, start: { year: 2024, month: 8, day: 1 }, end: { year: 2024, month: 8, day: 31 }, count: 60, openingCents: 90_000, corruptBalanceAt: 20,
    });
    writeFileSync(brokenPath, broken.pdf);
    const at = broken.corrupted![0];
    const truth = broken.truth.transactions.find((t) => t.page === at.page && t.line === at.line)!;
    const { context, page, problems } = await signedInPage();
    await page.setInputFiles('#upload-file', brokenPath);
    await page.click('#upload-button');
    await page.locator('#progress-card[data-status="REVIEW"]').waitFor({ timeout: 60_000 });
    await page.locator('#review-card').waitFor({ state: 'visible' });
    await untilFirstProblemAt(page, at);
    assert.match(await text(page, '#review-summary'), /^Not proven: /);

    // The problem's row, as a labelled form: correct its balance and save with Enter.
    const row = page.locator('#review-list li:first-child');
    assert.ok((await row.innerText()).startsWith(`Page ${at.page}, line ${at.line}: `));
    const right = (truth.balanceCents! / 100).toFixed(2);

    // Someone else (another tab) corrects the row's description first: the save is refused
    // (412), the page says why and reloads the statement with the new version.
    const other = await page.evaluate(async () => {
      const token = window.sessionStorage.getItem('statementflow.token');
      const id = document.getElementById('session-select').value;
      const review = (await (await fetch(`/sessions/${id}/review`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { problems: { transaction: { id: number; description: string } }[] };
      const tx = review.problems[0].transaction;
      const res = await fetch(`/sessions/${id}/transactions/${tx.id}`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'If-Match': '"v1"' },
        body: JSON.stringify({ description: `${tx.description} (checked)` }),
      });
      return res.status;
    });
    assert.equal(other, 200);
    await row.getByLabel('Balance').fill(right);
    await row.getByLabel('Balance').press('Enter');
    await page.waitForFunction(() => /Someone else changed this statement/.test(document.getElementById('toast')?.textContent ?? ''));
    await page.waitForFunction(() => /\(checked\)$/.test(document.querySelector('#review-list li:first-child input[name="description"]')?.value ?? ''));

    const balance = row.getByLabel('Balance');
    await balance.fill(right);
    await balance.press('Enter');

    await page.waitForFunction(() => /^Proven \(corrected/.test(document.getElementById('review-summary')?.textContent ?? ''));
    assert.equal(await page.getAttribute('#review-summary', 'class'), 'status-SUCCESS');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'review-summary', 'focus moves to the new proof');
    assert.equal(await page.locator('#review-list li').count(), 0);
    assert.doesNotMatch(await page.locator('#session-select option:checked').innerText(), /not proven/);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('renders the API reference at /docs from /openapi.json', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.api.url}/docs`);
    await page.waitForFunction(() => /\d+ paths/.test(document.getElementById('docs-status')?.textContent ?? ''));
    const doc = (await (await fetch(`${stack.api.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    let operations = 0;
    for (const item of Object.values(doc.paths)) operations += ['get', 'post', 'patch', 'delete'].filter((m) => item[m]).length;
    assert.equal(await page.locator('article.op h3 .method').count(), operations);
    assert.ok(await page.locator('#schema-TaskEvent').isVisible());
    await page.screenshot({ path: path.join(ARTIFACTS, 'docs.png'), fullPage: true });
    await page.close();
  });
});
