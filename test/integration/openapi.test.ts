/**
 * The OpenAPI document is kept true: it validates as OpenAPI 3.1 (the real validator), it
 * lists exactly the routes the app registers, and the JSON answers the app really gives —
 * here, and in every other test of the run that goes through TestApi.json() — have a
 * documented status and a body that matches the documented schema.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type Koa from 'koa';
import type Router from '@koa/router';
import type { Knex } from 'knex';
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app';
import { buildOpenApiDocument } from '../../api/openapi/document';
import { checkSchema } from '../support/schema-check';
import { FileStore } from '../../db/files';
import { silentLogger } from '../../platform/logger';
import type { Config } from '../../platform/config';
import { getTestDb, truncateAll } from '../support/postgres';
import { getDevServer } from '../support/temporal';
import { generatedRows, seedSession, testConfig, tokenFor } from '../support/fixtures';
import { seenResponses, startTestApi, type SeenResponse, type TestApi } from '../support/http';

type Doc = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];

/** "METHOD /path/{}" for every route the app's routers registered (HEAD mirrors GET: left out). */
function registeredRoutes(app: Koa): string[] {
  const out = new Set<string>();
  for (const mw of app.middleware as Array<{ router?: Router }>) {
    for (const layer of mw.router?.stack ?? []) {
      for (const m of layer.methods) if (m !== 'HEAD') out.add(`${m} ${String(layer.path).replace(/:\w+/g, '{}')}`);
    }
  }
  return [...out].sort();
}

function documentedRoutes(doc: Doc): string[] {
  const out: string[] = [];
  for (const [p, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
    for (const m of METHODS) if (item[m]) out.push(`${m.toUpperCase()} ${p.replace(/\{\w+\}/g, '{}')}`);
  }
  return out.sort();
}

/** Problems of one real answer against the document; [] when it is described and matches. */
function checkAnswer(doc: Doc, r: SeenResponse): string[] {
  const path = r.path.split('?')[0];
  const where = `${r.method} ${r.path} → ${r.status}`;
  const entry = Object.entries<Doc>(doc.paths).find(([template]) =>
    new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`).test(path),
  );
  if (!entry) return []; // an unknown path: its 404 is the app's catch-all, not an operation
  const op = entry[1][r.method.toLowerCase()];
  if (!op) return r.status === 405 ? [] : [`${where}: method not documented`];
  let response = op.responses[String(r.status)] ?? op.responses.default;
  if (!response) return [`${where}: status not documented`];
  if (response.$ref) response = doc.components.responses[response.$ref.split('/').pop()];
  if (!r.contentType.startsWith('application/json')) return [];
  const schema = response.content?.['application/json']?.schema;
  if (!schema) return [`${where}: JSON body not documented`];
  return checkSchema(doc, schema, r.body).map((p) => `${where}: ${p}`);
}

const RULES = { rules: [{ category: 'Salary', conditions: { field: 'description', op: 'contains', value: 'SALARY' } }] };
const MINIMAL_PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

describe('OpenAPI document', function () {
  this.timeout(60_000);
  let db: Knex;
  let temporal: Client;
  let config: Config;
  let api: TestApi;
  let alice: string;
  const doc: Doc = buildOpenApiDocument({ includeDev: true });

  before(async () => {
    [db, { client: temporal }] = await Promise.all([getTestDb(), getDevServer()]);
    config = testConfig();
    api = await startTestApi({ config, db, temporal });
    alice = tokenFor(config, 'alice');
  });
  after(() => api.close());

  it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator), served at /openapi.json', async () => {
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const served = await api.json('/openapi.json');
    assert.equal(served.status, 200);
    assert.deepEqual(served.body, doc);
    const validator = new Validator();
    const res = await validator.validate(served.body);
    assert.equal(res.valid, true, JSON.stringify(res.errors, null, 1));
    assert.equal(validator.version, '3.1');
    assert.deepEqual(doc.security, [{ bearerAuth: [] }]);
    assert.equal(doc.components.securitySchemes.bearerAuth.scheme, 'bearer');
  });

  it('describes every route the app registers, and nothing else (development and production)', () => {
    for (const production of [false, true]) {
      const cfg = production ? testConfig({ NODE_ENV: 'production' }) : config;
      const app = createApp({ config: cfg, db, temporal, files: new FileStore(db), logger: silentLogger });
      const registered = registeredRoutes(app);
      const documented = documentedRoutes(buildOpenApiDocument({ includeDev: !production }));
      assert.ok(registered.length >= 19, `found ${registered.length} routes`);
      assert.deepEqual(
        { undocumented: registered.filter((r) => !documented.includes(r)), unregistered: documented.filter((r) => !registered.includes(r)) },
        { undocumented: [], unregistered: [] },
      );
      assert.equal(registered.includes('POST /dev/token'), !production);
    }
  });

  it('documents, for every operation, the common error shape and bearer security where it needs a token', () => {
    for (const [p, item] of Object.entries<Doc>(doc.paths)) {
      for (const m of METHODS) {
        const op = item[m];
        if (!op) continue;
        const isPublic = Array.isArray(op.security) && op.security.length === 0;
        if (!isPublic) assert.ok(op.responses['401'], `${m} ${p} needs a token: 401 must be documented`);
        for (const [status, r] of Object.entries<Doc>(op.responses)) {
          // /healthz answers 503 with its own Health body (which dependency is down), by design.
          if (Number(status) >= 400 && p !== '/healthz') assert.match(r.$ref ?? '', /^#\/components\/responses\//, `${m} ${p} ${status}`);
        }
      }
    }
    assert.deepEqual(doc.components.responses.NotFound.content['application/json'].schema, { $ref: '#/components/schemas/Error' });
  });

  it('matches what the app answers on every endpoint, errors included', async () => {
    await truncateAll(db);
    const json = { 'Content-Type': 'application/json' };
    const sessionId = await seedSession(db, 'alice', generatedRows(5));
    const parsing = await seedSession(db, 'alice', [], { status: 'PARSING' });
    const started: string[] = [];
    const form = (data: Buffer, name = 'statement.pdf') => {
      const f = new FormData();
      f.append('file', new Blob([data]), name);
      return f;
    };
    const calls: Array<[string, string, RequestInit & { token?: string | null }]> = [
      ['GET', '/healthz', {}],
      ['GET', '/metrics', {}],
      ['POST', '/dev/token', { headers: json, body: JSON.stringify({ user_id: 'alice' }) }],
      ['POST', '/dev/token', { headers: json, body: JSON.stringify({ user_id: 'no spaces' }) }],
      ['GET', '/tasks', { token: alice }],
      ['GET', '/tasks?status=DONE', { token: alice }],
      ['GET', '/tasks', {}],
      ['GET', '/sessions', { token: alice }],
      ['GET', `/sessions/${sessionId}`, { token: alice }],
      ['GET', '/sessions/not-a-uuid', { token: alice }],
      ['GET', `/sessions/${randomUUID()}`, { token: alice }],
      ['GET', `/sessions/${sessionId}/transactions?limit=2`, { token: alice }],
      ['GET', `/sessions/${randomUUID()}/transactions`, { token: alice }],
      ['POST', `/bulk_categorize_async?session_id=${sessionId}`, { token: alice, headers: json, body: JSON.stringify(RULES) }],
      ['POST', `/bulk_categorize_async?session_id=${sessionId}`, { token: alice, headers: json, body: '{"rules": [' }],
      ['POST', `/bulk_categorize_async?session_id=${sessionId}`, { token: alice, headers: json, body: JSON.stringify({ rules: [{ category: 'X', conditions: {} }] }) }],
      ['POST', `/bulk_categorize_async?session_id=${parsing}`, { token: alice, headers: json, body: JSON.stringify(RULES) }],
      ['POST', `/reports/generate_async?session_id=${sessionId}&report_type=pdf`, { token: alice }],
      ['POST', `/reports/generate_async?session_id=${randomUUID()}`, { token: alice }],
      ['POST', '/upload_pdf_async', { token: alice, body: form(Buffer.from('hello')) }],
      ['POST', '/upload_pdf_async', { token: alice, headers: json, body: '{}' }],
      ['POST', '/upload_pdf_async', { token: alice, body: form(MINIMAL_PDF) }],
      ['GET', '/download_file?file_key=../../etc/passwd', { token: alice }],
      ['GET', `/download_file?file_key=reports/${randomUUID()}/x.csv`, { token: alice }],
    ];
    for (const [method, path, init] of calls) {
      const res = await api.json(path, { method, ...init });
      if (res.status === 202) started.push(res.body.task_id);
    }
    assert.equal(started.length, 2, 'one categorize and one upload were accepted');
    const [taskId] = started;
    for (const [method, path] of [
      ['GET', `/tasks/${taskId}/status`],
      ['GET', `/tasks/${taskId}/result`],
      ['POST', `/tasks/${taskId}/stream_token`],
      ['GET', `/tasks/${randomUUID()}/status`],
      ['GET', `/tasks/${randomUUID()}/events`],
      ['DELETE', `/tasks/${taskId}`],
      ['DELETE', `/tasks/${started[1]}`],
    ]) {
      await api.json(path, { method, token: alice });
    }
    for (const id of started) await temporal.workflow.getHandle(id).terminate('contract test done').catch(() => undefined);

    const mine = seenResponses.filter((r) => r.path.startsWith('/'));
    const statuses = new Set(mine.map((r) => r.status));
    for (const s of [200, 202, 400, 401, 404, 409, 415, 422]) assert.ok(statuses.has(s), `exercised a ${s}`);
    const problems = mine.flatMap((r) => checkAnswer(doc, r));
    assert.deepEqual(problems, []);
    checkedUpTo = seenResponses.length;
  });

  it('catches drift: an undocumented field or status is reported', () => {
    const extra = checkAnswer(doc, { method: 'GET', path: '/tasks', status: 200, contentType: 'application/json', body: { tasks: [], total: 0, limit: 50, offset: 0, extra: 1 } });
    assert.deepEqual(extra, ['GET /tasks → 200: $: undocumented property extra']);
    const status = checkAnswer(doc, { method: 'GET', path: '/tasks', status: 418, contentType: 'application/json', body: {} });
    assert.deepEqual(status, ['GET /tasks → 418: status not documented']);
  });
});

/**
 * Answers recorded by test files that ran after this one: checked once the whole run is
 * over (a root-level hook), so the order mocha loads files in does not matter.
 */
let checkedUpTo = 0;
after(function () {
  const doc = buildOpenApiDocument({ includeDev: true });
  const problems = seenResponses.slice(checkedUpTo).flatMap((r) => checkAnswer(doc, r));
  assert.deepEqual(problems, [], 'answers seen in this test run that the OpenAPI document does not describe');
});
