import type { Config } from './config';
import type { TaskSettings } from '../contract/tasks';

/** The settings every submitted workflow carries, from configuration. */
export function taskSettingsFrom(config: Config): TaskSettings {
  return {
    retry: {
      maximumAttempts: config.retry.maximumAttempts,
      initialIntervalMs: Math.round(config.retry.initialIntervalSeconds * 1000),
      backoffCoefficient: config.retry.backoffCoefficient,
      maximumIntervalMs: Math.round(config.retry.maximumIntervalSeconds * 1000),
    },
    softTimeLimitMs: config.softTimeLimitSeconds * 1000,
    activityStartToCloseMs: config.activityStartToCloseSeconds * 1000,
    heartbeatTimeoutMs: config.activityHeartbeatTimeoutSeconds * 1000,
    progressMirrorIntervalMs: config.progressMirrorIntervalMs,
    resultTtlSeconds: config.resultTtlSeconds,
  };
}
