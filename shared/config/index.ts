/** The configuration loader: `failover.config.yml` in, a frozen `ControllerConfig` out. */
export { ConfigError, type ConfigIssue, ConfigurationError, describeIssue } from './errors.ts';
export { DEFAULT_CONFIG_FILE, type LoadConfigOptions, loadConfig } from './load-config.ts';
export { parseConfig } from './parse-config.ts';
export { MAX_ALIAS_COUNT, MAX_CONFIG_BYTES } from './yaml-source.ts';
