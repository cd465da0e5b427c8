/**
 * docker-compose.temporal.yml, checked without a Docker engine: the services are all there,
 * every address points at a service that exists on the port it listens on, credentials
 * agree, start order holds, worker queues cover every task queue, the app's environment is
 * a configuration loadConfig accepts, and the Dockerfile builds what the services run.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { CONFIG_DEFAULTS, loadConfig, TASK_QUEUES } from '../../platform/config';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../contract/search-attributes';
import { parseWorkerArgs } from '../../worker/cli';

const ROOT = path.resolve(__dirname, '../..');
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  stop_grace_period?: string;
  restart?: string;
  init?: boolean;
}

/** `${VAR:-default}` → default, `${VAR:?message}` → a stand-in value, `${VAR}` → ''. */
function interpolate(value: string | number): string {
  return String(value).replace(/\$\{(\w+)(?::?([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    if (op === '-') return arg ?? '';
    if (op === '?') return /^(JWT_SECRET|FILE_SECRET_KEY)$/.test(name) ? `compose-test-${name}-0123456789abcdef0123456789` : `compose-${name}`;
    return '';
  });
}
const env = (s: Service) => Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(v)]));
const seconds = (d: string) => {
  const m = /^(\d+)(s|m)$/.exec(d);
  assert.ok(m, `duration ${d}`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
};

describe('docker-compose.temporal.yml', () => {
  const compose = YAML.parse(read('docker-compose.temporal.yml'), { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
  const services = compose.services;
  const APP = ['migrate', 'api', 'worker-pdf', 'worker-general'];
  const WORKERS = ['worker-pdf', 'worker-general'];

  it('has Postgres, Temporal with its schema setup, the setup job, admin tools, the Web UI, migrate, the API and two worker pools', () => {
    assert.deepEqual(
      Object.keys(services).sort(),
      ['api', 'migrate', 'postgres', 'temporal', 'temporal-admin-tools', 'temporal-setup', 'temporal-ui', 'worker-general', 'worker-pdf'],
    );
    assert.match(services.postgres.image!, /^postgres:\d+/);
    assert.match(services.temporal.image!, /^temporalio\/auto-setup:\d+\.\d+\.\d+$/, 'auto-setup creates and migrates the Temporal schema');
    assert.match(services['temporal-admin-tools'].image!, /^temporalio\/admin-tools:/);
    assert.match(services['temporal-setup'].image!, /^temporalio\/admin-tools:/);
    assert.match(services['temporal-ui'].image!, /^temporalio\/ui:/);
    for (const name of APP) {
      assert.deepEqual(services[name].build, { context: '.', dockerfile: 'Dockerfile' }, name);
      assert.equal(services[name].init, true, `${name}: an init as PID 1 forwards SIGTERM`);
    }
    assert.ok(compose.volumes && 'postgres-data' in compose.volumes);
    assert.ok(services.postgres.volumes?.some((v) => v.startsWith('postgres-data:')), 'Postgres data on a named volume');
  });

  it('points Temporal at the Postgres service with the credentials Postgres was created with', () => {
    const pg = env(services.postgres);
    const t = env(services.temporal);
    assert.equal(t.DB, 'postgres12');
    assert.equal(t.POSTGRES_SEEDS, 'postgres');
    assert.equal(t.SQL_HOST, 'postgres');
    assert.equal(t.DB_PORT, '5432');
    assert.equal(t.POSTGRES_USER, pg.POSTGRES_USER);
    assert.equal(t.POSTGRES_PWD, pg.POSTGRES_PASSWORD);
    assert.equal(t.SQL_PASSWORD, pg.POSTGRES_PASSWORD);
    assert.equal(services.temporal.environment!.POSTGRES_PWD, services.postgres.environment!.POSTGRES_PASSWORD, 'the same variable, not two defaults');
    assert.equal(t.SKIP_ADD_CUSTOM_SEARCH_ATTRIBUTES, 'true');
    // Dynamic config: the mounted directory holds the file the path names.
    const mount = services.temporal.volumes!.find((v) => v.includes('/etc/temporal/config/dynamicconfig'))!;
    const file = path.join(ROOT, mount.split(':')[0], path.basename(t.DYNAMIC_CONFIG_FILE_PATH));
    assert.ok(fs.existsSync(file), `${file} exists`);
    assert.ok(YAML.parse(fs.readFileSync(file, 'utf8'))['limit.maxIDLength']);
  });

  it('registers the namespace and every custom search attribute at setup', () => {
    const setup = services['temporal-setup'];
    assert.equal(env(setup).TEMPORAL_ADDRESS, 'temporal:7233');
    assert.equal(setup.depends_on?.temporal.condition, 'service_healthy');
    assert.equal(setup.restart, 'no');
    const mount = setup.volumes!.find((v) => v.endsWith(':ro'))!;
    const [source, target] = mount.split(':');
    assert.deepEqual(setup.entrypoint, ['sh', target]);
    const script = fs.readFileSync(path.join(ROOT, source), 'utf8');
    for (const a of CUSTOM_SEARCH_ATTRIBUTES) assert.ok(script.includes(`${a.name}:${a.type}`), `setup.sh registers ${a.name} as ${a.type}`);
    assert.match(script, /temporal operator namespace create/);
    assert.match(script, /temporal operator search-attribute create/);
  });

  it('wires the Web UI and the admin tools to the Temporal frontend, and publishes the operator ports', () => {
    for (const name of ['temporal-ui', 'temporal-admin-tools']) {
      assert.equal(env(services[name]).TEMPORAL_ADDRESS, 'temporal:7233', name);
      assert.ok(services[name].depends_on?.temporal, name);
    }
    assert.ok(services['temporal-ui'].ports!.includes('8080:8080'));
    assert.ok(services.temporal.ports!.includes('7233:7233'));
    assert.ok(services.api.ports!.includes('8000:8000'));
    assert.equal(services.postgres.ports, undefined, 'Postgres stays on the compose network');
  });

  it("gives every app service a configuration loadConfig accepts, pointing at the services' names and ports", () => {
    const pg = env(services.postgres);
    for (const name of APP) {
      const e = env(services[name]);
      for (const key of Object.keys(e)) assert.ok(key in CONFIG_DEFAULTS, `${name}: ${key} is not a Statementflow setting (typo?)`);
      const db = new URL(e.DATABASE_URL);
      assert.equal(db.hostname, 'postgres', name);
      assert.equal(db.port, '5432', name);
      assert.equal(decodeURIComponent(db.username), pg.POSTGRES_USER, name);
      assert.equal(decodeURIComponent(db.password), pg.POSTGRES_PASSWORD, name);
      assert.equal(db.pathname, `/${pg.POSTGRES_DB}`, name);
      assert.equal(e.TEMPORAL_ADDRESS, 'temporal:7233', name);
      assert.equal(e.TEMPORAL_NAMESPACE, env(services.temporal).DEFAULT_NAMESPACE, `${name}: the namespace auto-setup creates`);
      assert.equal(e.TEMPORAL_NAMESPACE, env(services['temporal-setup']).TEMPORAL_NAMESPACE, `${name}: the namespace with our search attributes`);
      assert.equal(e.NODE_ENV, 'production', name);
      assert.match(String(services[name].environment!.JWT_SECRET), /^\$\{JWT_SECRET:\?/, `${name}: no default JWT secret`);
      assert.match(String(services[name].environment!.FILE_SECRET_KEY), /^\$\{FILE_SECRET_KEY:\?/, `${name}: no default file secret key`);
      const config = loadConfig(e);
      assert.equal(config.isProduction, true);
    }
    const api = loadConfig(env(services.api));
    assert.equal(api.port, 8000);
    assert.equal(api.host, '0.0.0.0');
  });

  it('starts in order: Postgres healthy → Temporal healthy → setup and migrations done → API and workers', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const dep of Object.keys(s.depends_on ?? {})) assert.ok(dep in services, `${name} depends on unknown ${dep}`);
    }
    assert.equal(services.temporal.depends_on?.postgres.condition, 'service_healthy');
    assert.equal(services.migrate.depends_on?.postgres.condition, 'service_healthy');
    assert.equal(services.migrate.restart, 'no');
    for (const name of ['api', ...WORKERS]) {
      const deps = services[name].depends_on!;
      assert.equal(deps.postgres.condition, 'service_healthy', name);
      assert.equal(deps['temporal-setup'].condition, 'service_completed_successfully', name);
      assert.equal(deps.migrate.condition, 'service_completed_successfully', name);
    }
    // No cycles.
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (n: string) => {
      assert.ok(!visiting.has(n), `dependency cycle through ${n}`);
      if (done.has(n)) return;
      visiting.add(n);
      for (const d of Object.keys(services[n].depends_on ?? {})) visit(d);
      visiting.delete(n);
      done.add(n);
    };
    for (const n of Object.keys(services)) visit(n);
  });

  it('runs the entry points that exist, in one node process each', () => {
    for (const name of APP) {
      const cmd = services[name].command!;
      assert.deepEqual(cmd.slice(0, 3), ['node', '--import', 'tsx'], name);
      assert.ok(fs.existsSync(path.join(ROOT, cmd[3])), `${name}: ${cmd[3]} exists`);
    }
    assert.equal(services.api.command![3], 'api/main.ts');
    assert.equal(services.migrate.command![3], 'scripts/migrate.ts');
  });

  it('splits the queues between worker pools that together poll every queue, each pool replicated', () => {
    const polled = new Map<string, string>();
    for (const name of WORKERS) {
      const s = services[name];
      assert.equal(s.command![3], 'worker/main.ts');
      const cli = parseWorkerArgs(s.command!.slice(4), loadConfig(env(s)));
      for (const q of cli.settings.queues) {
        assert.ok(!polled.has(q), `${q} is polled by ${polled.get(q)} and ${name}`);
        polled.set(q, name);
      }
      assert.ok((s.deploy?.replicas ?? 1) >= 2, `${name} runs several replicas`);
    }
    assert.deepEqual([...polled.keys()].sort(), [...TASK_QUEUES].sort());
    assert.equal(polled.get('pdf_processing'), 'worker-pdf');
    assert.deepEqual(parseWorkerArgs(services['worker-pdf'].command!.slice(4), loadConfig({})).settings.queues, ['pdf_processing']);
    assert.ok(services['worker-general'].command!.every((a) => a !== '--no-schedules'), 'one pool keeps the cleanup schedule');
  });

  it('lets a stopping worker finish its activities, and health-checks API and workers on their real ports', () => {
    for (const name of WORKERS) {
      const s = services[name];
      const config = loadConfig(env(s));
      assert.ok(seconds(s.stop_grace_period!) > config.worker.shutdownGraceSeconds, `${name}: Docker waits longer than the worker's grace`);
      assert.ok(s.expose?.includes(String(config.worker.metricsPort)), `${name} exposes its metrics port`);
      assert.equal(config.worker.metricsHost, '0.0.0.0', `${name}: metrics reachable from the network`);
      assert.ok(s.healthcheck!.test.join(' ').includes(`:${config.worker.metricsPort}/metrics`), name);
    }
    const api = loadConfig(env(services.api));
    assert.ok(services.api.healthcheck!.test.join(' ').includes(`:${api.port}/healthz`));
    assert.ok(services.postgres.healthcheck!.test.join(' ').includes('pg_isready'));
    assert.ok(services.temporal.healthcheck!.test.join(' ').includes('cluster health'));
  });
});

describe('Dockerfile and .dockerignore', () => {
  const dockerfile = read('Dockerfile');
  const lines = dockerfile.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));

  it('builds on node:20-slim with npm ci and the prebuilt workflow bundle, and runs as an unprivileged user', () => {
    assert.equal(lines[0], 'FROM node:20-slim');
    const ci = lines.findIndex((l) => /^RUN npm ci\b/.test(l));
    const copyAll = lines.findIndex((l) => l.startsWith('COPY . .'));
    const bundle = lines.findIndex((l) => l.includes('npm run build:workflows'));
    assert.ok(ci > 0 && copyAll > ci && bundle > copyAll, 'dependencies, then code, then the bundle');
    assert.ok(lines.some((l) => l.startsWith('COPY package.json package-lock.json')));
    assert.ok(fs.existsSync(path.join(ROOT, 'package-lock.json')), 'npm ci needs the lockfile');
    assert.ok(JSON.parse(read('package.json')).scripts['build:workflows']);
    assert.ok(lines.some((l) => l === 'USER node'));
    assert.match(lines[lines.length - 1], /^CMD \["node", "--import", "tsx", "api\/main.ts"\]$/);
  });

  it('keeps local state and build output out of the image', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', 'dist', '.data', '.cache', '.git', '.env']) assert.ok(ignored.includes(p), p);
  });
});
