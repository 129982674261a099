/**
 * @lifeline/local-stack — builds the infrastructure binaries, starts NATS, the Temporal dev server and FerretDB (or
 * containers) plus the Lifeline processes, and stops only what it started.
 */
export { stackConfig, REPO_ROOT, type StackConfig } from './config';
export { ensureTools, TOOL_VERSIONS, toolsBinDir, type ToolPaths } from './tools';
export { renderNatsConfig, natsUsers, allows, type NatsUserEntry, type NatsConfigOptions } from './nats-config';
export { loadOrCreateSecrets, generateSecrets, secretsPath, type StackSecrets } from './secrets';
export { adminNatsSettings, existingSecrets } from './admin';
export { SEARCH_ATTRIBUTES, ensureSearchAttributes } from './temporal';
export { BUILD_TARGETS, buildApps, ensureAppBuild, staleReason, type BuildTarget } from './build';
export { bundleArgs, bundleFile, BUNDLE_DIR } from './bundles';
export { APPS, appComponents, appEnv, assertAppEntries, metricsPortOf, metricsUrls, type AppDef } from './apps';
export type { StackEndpoints } from './endpoints';
export { startComponent, stopStarted, type Component, type ComponentOutcome } from './components';
export { logFile, pidFile, isPortOpen } from './processes';
export { localEndpoints } from './infra';
export { codecServerComponent } from './codec-server';
export {
  chooseProvider,
  localProvider,
  readStackState,
  stopRecordedStack,
  COMPONENT_NAMES,
  type ComponentState,
} from './stack';
export type { StackProvider, RunningStack, StartOptions } from './provider';
