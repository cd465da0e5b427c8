/**
 * Configuration, read from the environment once and validated at start. The settings are
 * the table in ./table.ts (variable, parser, default, place in Config); this file reads it.
 *
 * A bad value throws ConfigError, one line naming the variable and what it expects. Nothing
 * here ends the process: entry points catch it (see onConfigError), print the line and
 * exit 1, while tests and code that composes the services get an exception they can catch.
 */
import { ConfigError } from './parsers';
import { CROSS_CHECKS, REQUIRED, SETTINGS, Setting, type RawDefault, type SettingName, type TableValues } from './table';

export { ConfigError } from './parsers';
export { PRIORITY_KEY_DEFAULT, PRIORITY_KEY_FIRST, PRIORITY_KEY_LAST, queuePriorityKeys, TASK_QUEUES, type TaskQueue } from './priorities';

type Env = Record<string, string | undefined>;

/** Every row of the table, with its value type, plus two facts derived from them. */
export interface Config extends TableValues<typeof SETTINGS> {
  /** NODE_ENV=production: stricter secrets, no development routes, proxy headers trusted. */
  isProduction: boolean;
  /** JWT_SECRET is not set, so the development secret is in use: entry points warn about it. */
  jwtSecretIsDefault: boolean;
}

/** A row of the table with its place in Config written out (`retry.maximumAttempts`). */
export interface ConfigRow {
  path: string;
  setting: Setting;
}

function flatten(tree: object, prefix = ''): ConfigRow[] {
  return Object.entries(tree).flatMap(([key, node]) =>
    node instanceof Setting ? [{ path: prefix + key, setting: node }] : flatten(node, `${prefix}${key}.`),
  );
}

/** The table as a list, in its order: for documentation and for the test that keeps README.md in step. */
export const CONFIG_ROWS: readonly ConfigRow[] = flatten(SETTINGS);

/** Each variable's default outside production, as it would be written in the environment. */
export const CONFIG_DEFAULTS = Object.freeze(
  Object.fromEntries(CONFIG_ROWS.map((r) => [r.setting.env, r.setting.development])) as Record<SettingName, RawDefault>,
);

/** One row's value: the variable if set (blank counts as unset), else the default, through the row's parser. */
function read<T>(setting: Setting<string, T>, env: Env, isProduction: boolean): T {
  let text = env[setting.env]?.trim() ?? '';
  if (text === '') {
    const fallback = isProduction ? setting.production : setting.development;
    if (fallback === REQUIRED) throw new ConfigError(`${setting.env} is required when NODE_ENV=production`);
    text = String(fallback);
  }
  return setting.parse(text, { name: setting.env, isProduction });
}

function readTree(tree: object, readOne: (s: Setting) => unknown): unknown {
  return Object.fromEntries(Object.entries(tree).map(([key, node]) => [key, node instanceof Setting ? readOne(node) : readTree(node, readOne)]));
}

/** The configuration in `env`, row by row in table order; the first bad value throws its ConfigError. */
export function loadConfig(env: Env = process.env): Config {
  // Read first: whether this is production decides defaults and how strictly secrets are checked.
  const isProduction = read(SETTINGS.nodeEnv, env, false) === 'production';
  const values = readTree(SETTINGS, (s) => read(s, env, isProduction)) as TableValues<typeof SETTINGS>;
  for (const check of CROSS_CHECKS) {
    const problem = check(values);
    if (problem) throw new ConfigError(problem);
  }
  return { ...values, isProduction, jwtSecretIsDefault: !env[SETTINGS.jwtSecret.env]?.trim() };
}

/**
 * For commands that run on shared infrastructure (not `npm start`): `config` if it has the
 * connections the command needs, else a ConfigError whose line names what is missing and
 * where to get it.
 */
export function requireInfrastructure(
  config: Config,
  command: string,
  needs: { database?: boolean; temporal?: boolean },
  /** The command also finds the embedded servers of a running `npm start` (devenv/running-infra.ts). */
  besideStart = false,
): Config {
  const missing = [
    ...(needs.database && !config.databaseUrl ? ['DATABASE_URL'] : []),
    ...(needs.temporal && !config.temporalAddress ? ['TEMPORAL_ADDRESS'] : []),
  ];
  if (missing.length === 0) return config;
  const how = besideStart
    ? `set it (\`npm run infra\` prints the lines), or run it while \`npm start\` or \`npm run infra\` is running on DATA_DIR ${config.dataDir}`
    : `(\`npm run infra\` prints them), or use \`npm start\``;
  const message = `${command} needs ${missing.join(' and ')}: ${how}`;
  throw new ConfigError(message, `statementflow: ${message}`);
}

/**
 * For entry points: `load()`'s result or, on a ConfigError, `fail` with the line to print.
 * The entry point's `fail` prints it on stderr and exits 1; a stack trace would only hide
 * the one thing to fix. Any other error passes through to the entry point's own handling.
 */
export function onConfigError<T>(load: () => T, fail: (line: string) => never): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.line);
    throw err;
  }
}
