/** The runtime layer: Temporal binaries, embedded Postgres, the Temporal dev server. */
export { InfraError, describeError } from './errors';
export { PROJECT_ROOT, CACHE_DIR } from './paths';
export {
  resolveTemporalCli,
  resolveTestServer,
  testServerExecutable,
  cachedBinaryPath,
  TEMPORAL_CLI_VERSION,
  TEMPORAL_TEST_SERVER_VERSION,
  type ResolvedBinary,
  type SdkDownloadMarker,
  type TestServerResolution,
  type ResolveOptions,
  type ResolveTestServerOptions,
  type BinarySource,
} from './binaries';
export {
  startEmbeddedPostgres,
  postgresUrl,
  EMBEDDED_DATABASE,
  type EmbeddedPostgresOptions,
  type RunningPostgres,
} from './embedded-postgres';
export {
  startTemporalDevServer,
  type TemporalDevServerOptions,
  type RunningTemporalDevServer,
  type SearchAttributeDefinition,
} from './temporal-dev-server';
export { searchAttributeFlags, registerSearchAttributes } from './search-attributes';
export { startEmbeddedInfra, temporalDbFilename, type EmbeddedInfra, type StartInfraOptions } from './infra';
export { getFreePort, assertPortFree } from './processes';
