import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ControllerConfig } from '../domain/config.ts';
import { ConfigError } from './errors.ts';
import { parseConfig } from './parse-config.ts';
import { MAX_CONFIG_BYTES } from './yaml-source.ts';

/** The file read when neither `options.file` nor `FAILOVER_CONFIG` names one. */
export const DEFAULT_CONFIG_FILE = 'failover.config.yml';
export const EXAMPLE_CONFIG_FILE = 'failover.config.example.yml';

export interface LoadConfigOptions {
  /** The configuration file; relative paths resolve against `LAMBDA_TASK_ROOT` or the working directory. */
  readonly file?: string;
  /** Where `${env:NAME}`, `FAILOVER_CONFIG` and `LAMBDA_TASK_ROOT` are read. Default: `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

type NamedBy = 'option' | 'FAILOVER_CONFIG' | 'default';

/**
 * Reads and validates the configuration file once (call it at cold start, at module scope).
 * The file is `options.file`, else `$FAILOVER_CONFIG`, else `failover.config.yml`, relative to
 * `$LAMBDA_TASK_ROOT` (the unpacked Lambda package) or the working directory.
 * Throws a `ConfigError` that lists every problem.
 *
 * @example
 * const config = loadConfig(); // at module scope in a handler
 */
export function loadConfig(options: LoadConfigOptions = {}): ControllerConfig {
  const env = options.env ?? process.env;
  const fromEnv = env.FAILOVER_CONFIG === '' ? undefined : env.FAILOVER_CONFIG;
  const namedBy: NamedBy =
    options.file !== undefined ? 'option' : fromEnv !== undefined ? 'FAILOVER_CONFIG' : 'default';
  const base = env.LAMBDA_TASK_ROOT || process.cwd();
  const file = resolve(base, options.file ?? fromEnv ?? DEFAULT_CONFIG_FILE);
  return parseConfig(readConfigFile(file, namedBy), file, env);
}

function readConfigFile(file: string, namedBy: NamedBy): string {
  let descriptor: number | undefined;
  try {
    descriptor = openSync(file, 'r');
    const stats = fstatSync(descriptor);
    if (stats.isDirectory()) throw unreadable(file, 'is a directory; name the .yml file itself');
    if (stats.size > MAX_CONFIG_BYTES) {
      throw unreadable(file, `is ${stats.size} bytes; a configuration file may be at most 1 MiB`);
    }
    return readFileSync(descriptor, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw unreadable(file, readFailure(error, file, namedBy), error);
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

function readFailure(error: unknown, file: string, namedBy: NamedBy): string {
  const code = error instanceof Error && 'code' in error ? String(error.code) : undefined;
  if (code === 'ENOENT') {
    const how =
      namedBy === 'FAILOVER_CONFIG'
        ? `FAILOVER_CONFIG names it: correct FAILOVER_CONFIG, or create the file`
        : namedBy === 'option'
          ? 'pass the path of an existing file, or create it'
          : `set FAILOVER_CONFIG to your configuration file's path, or create ${DEFAULT_CONFIG_FILE}`;
    return `no such file; ${how} (start from ${EXAMPLE_CONFIG_FILE}: cp ${EXAMPLE_CONFIG_FILE} ${file})`;
  }
  if (code === 'EISDIR') return 'is a directory; name the .yml file itself';
  if (code === 'EACCES' || code === 'EPERM')
    return 'cannot be read: permission denied; let this user read it';
  return `cannot be read: ${error instanceof Error ? error.message : String(error)}`;
}

function unreadable(file: string, message: string, cause?: unknown): ConfigError {
  return new ConfigError(file, [{ path: '', message }], {
    headline: `Cannot read the configuration file ${file}:`,
    cause,
  });
}
