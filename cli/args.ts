/**
 * Splitting a command line into the command and its options, with `node:util` `parseArgs`
 * (strict: an unknown or misspelt option is a usage error, never ignored).
 */
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { type Command, type CommandArgs, GLOBAL_OPTIONS } from './command.ts';
import type { GlobalOptions } from './context.ts';
import { UsageError } from './errors.ts';

const VALUED_GLOBALS = new Set(
  Object.entries(GLOBAL_OPTIONS)
    .filter(([, option]) => option.type === 'string')
    .map(([name]) => `--${name}`),
);

/**
 * The command name (the first word that is not an option or a global option's value) and the rest.
 * @example
 * splitCommand(['--stage', 'prod', 'status', '--json']); // { name: 'status', rest: ['--stage', 'prod', '--json'] }
 */
export function splitCommand(argv: readonly string[]): { name: string | undefined; rest: string[] } {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') break;
    if (arg.startsWith('-')) {
      if (VALUED_GLOBALS.has(arg)) i++;
      continue;
    }
    return { name: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { name: undefined, rest: [...argv] };
}

export interface ParsedCommandLine {
  readonly globals: GlobalOptions;
  readonly help: boolean;
  readonly args: CommandArgs;
}

/** Parse a command's options and positionals; `UsageError` for anything unknown, missing or extra. */
export function parseCommandLine(command: Command, rest: readonly string[]): ParsedCommandLine {
  const options: ParseArgsOptionsConfig = { ...GLOBAL_OPTIONS, ...command.options };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? plainParseError(error.message) : String(error));
  }
  const values = parsed.values;
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const stage = text('stage') ?? 'dev';
  if (!/^[a-zA-Z0-9-]{1,32}$/.test(stage)) {
    throw new UsageError(
      `--stage must be letters, digits and '-' (as in serverless deploy --stage), got '${stage}'.`,
    );
  }
  const globals: GlobalOptions = {
    stage,
    debug: values.debug === true,
    ...(text('region') === undefined ? {} : { region: text('region') }),
    ...(text('config') === undefined ? {} : { configFile: text('config') }),
    ...(text('table') === undefined ? {} : { table: text('table') }),
  };
  const help = values.help === true;
  if (!help) {
    const missing = command.positionals.slice(parsed.positionals.length);
    if (missing.length > 0) throw new UsageError(`Missing <${missing.join('> <')}>.`);
    const extra = parsed.positionals.slice(command.positionals.length);
    if (extra.length > 0)
      throw new UsageError(`Unexpected argument${extra.length > 1 ? 's' : ''}: ${extra.join(' ')}.`);
  }
  return { globals, help, args: { values, positionals: parsed.positionals } };
}

/** Node's messages name internals (`args`, `strict: false`); say what the user can do instead. */
function plainParseError(message: string): string {
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `Unknown option '${unknown[1]}'.`;
  const needsValue = /Option '([^']+)'.* argument missing/.exec(message);
  if (needsValue) return `Option '${needsValue[1]}' needs a value.`;
  return message.replace(/\. To specify a positional argument.*$/s, '.');
}
