/**
 * `failoverctl`: the operator's command line. `main` runs one command in-process and returns its
 * exit code (0 ok, 1 refused or failed, 2 usage or configuration), so tests drive it directly.
 */
import { parseCommandLine, splitCommand } from './args.ts';
import { type Command, GLOBAL_HELP } from './command.ts';
import { attachCommand } from './commands/attach.ts';
import { pauseCommand, resumeCommand } from './commands/control.ts';
import { costCommand } from './commands/cost.ts';
import { drillCommand } from './commands/drill.ts';
import { failbackCommand, failoverCommand } from './commands/flip.ts';
import { historyCommand } from './commands/history.ts';
import { localCommand } from './commands/local.ts';
import { planCommand } from './commands/plan.ts';
import { statusCommand } from './commands/status.ts';
import { validateCommand } from './commands/validate.ts';
import { type CliContext, type CliIo, createContext } from './context.ts';
import { EXIT_OK, EXIT_USAGE, errorLines, exitCodeOf, UsageError } from './errors.ts';
import { shown } from './format.ts';

export type { CliIo } from './context.ts';

export const COMMANDS: readonly Command[] = [
  statusCommand,
  historyCommand,
  failoverCommand,
  failbackCommand,
  pauseCommand,
  resumeCommand,
  planCommand,
  drillCommand,
  validateCommand,
  costCommand,
  attachCommand,
  localCommand,
];

/**
 * Run one command line.
 * @example
 * process.exitCode = await main(process.argv.slice(2), { out: process.stdout, err: process.stderr, env: process.env });
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const { name, rest } = splitCommand(argv);
  // Every line goes through `shown`: an error may quote stored or remote text.
  const print = (stream: NodeJS.WritableStream, lines: readonly string[]) => {
    for (const line of lines) stream.write(`${shown(line)}\n`);
  };
  if (name === undefined) {
    const asked = rest.includes('--help') || rest.includes('-h');
    print(asked ? io.out : io.err, generalHelp());
    return asked ? EXIT_OK : EXIT_USAGE;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    print(io.err, [
      `failoverctl: unknown command '${name}'. Commands: ${COMMANDS.map((c) => c.name).join(', ')}.`,
    ]);
    print(io.err, ["Run 'failoverctl --help' for usage."]);
    return EXIT_USAGE;
  }

  let ctx: CliContext | undefined;
  let debug = rest.includes('--debug');
  try {
    const line = parseCommandLine(command, rest);
    debug = line.globals.debug;
    if (line.help) {
      print(io.out, commandHelp(command));
      return EXIT_OK;
    }
    ctx = createContext(io, line.globals);
    return await command.run(ctx, line.args);
  } catch (error) {
    const code = exitCodeOf(error);
    const [first = '', ...more] = errorLines(error);
    print(io.err, [`failoverctl ${command.name}: ${first}`, ...more]);
    if (error instanceof UsageError)
      print(io.err, [`Usage: ${command.usage}`, `Run 'failoverctl ${command.name} --help' for details.`]);
    if (debug && error instanceof Error && error.stack) print(io.err, error.stack.split('\n'));
    return code;
  } finally {
    ctx?.close();
  }
}

function generalHelp(): string[] {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'failoverctl: operate the failover controller (status, planned failover and failback, pause, drills).',
    '',
    'Usage: failoverctl <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options of every command:',
    ...GLOBAL_HELP.map((line) => `  ${line}`),
    '',
    "Exit codes: 0 ok, 1 refused or failed, 2 usage or configuration error. 'failoverctl <command> --help' for more.",
  ];
}

function commandHelp(command: Command): string[] {
  return [
    `Usage: ${command.usage}`,
    '',
    `${command.summary[0]?.toUpperCase() ?? ''}${command.summary.slice(1)}.`,
    '',
    ...command.details,
    '',
    'Options of every command:',
    ...GLOBAL_HELP.map((line) => `  ${line}`),
  ];
}
