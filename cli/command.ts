/**
 * The shape of one `failoverctl` command, and typed access to its parsed options.
 */
import type { ParseArgsOptionsConfig } from 'node:util';
import type { CliContext } from './context.ts';
import { UsageError } from './errors.ts';

export type OptionValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

export interface CommandArgs {
  readonly values: OptionValues;
  /** The command's positionals, in order (their count already checked). */
  readonly positionals: readonly string[];
}

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** `failoverctl status [--json]` */
  readonly usage: string;
  /** What it does and what each option means, for `--help`. */
  readonly details: readonly string[];
  readonly options: ParseArgsOptionsConfig;
  /** Names of the required positionals, e.g. `['service']`. */
  readonly positionals: readonly string[];
  /** Returns the exit code. */
  run(ctx: CliContext, args: CommandArgs): Promise<number>;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS = {
  stage: { type: 'string' },
  region: { type: 'string' },
  config: { type: 'string' },
  table: { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

export const GLOBAL_HELP: readonly string[] = [
  '--stage NAME     the deployed stage (default dev): names failover-controller-<stage>-<function>',
  '--region NAME    AWS region of the functions and the table (default: AWS_REGION)',
  '--config FILE    the configuration file (default: FAILOVER_CONFIG, else failover.config.yml)',
  '--table NAME     the state table (default: STATE_TABLE, else failover-controller-<stage>-state)',
  '--debug          show stack traces of errors',
  '-h, --help       this help',
];

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function flagOption(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/** A whole number option within bounds, or a `UsageError` that says what is allowed. */
export function integerOption(
  values: OptionValues,
  name: string,
  bounds: { min: number; max: number; fallback: number },
): number {
  const raw = stringOption(values, name);
  if (raw === undefined) return bounds.fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new UsageError(
      `--${name} must be a whole number from ${bounds.min} to ${bounds.max}, got '${raw}'.`,
    );
  }
  return value;
}

/** The `service` positional every per-service command has. */
export function servicePositional(args: CommandArgs): string {
  const [service] = args.positionals;
  if (service === undefined) throw new UsageError('Missing the service name.');
  return service;
}
