import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseCommandLine, splitCommand } from '../../../cli/args.ts';
import { integerOption } from '../../../cli/command.ts';
import { historyCommand } from '../../../cli/commands/history.ts';
import { statusCommand } from '../../../cli/commands/status.ts';
import { UsageError } from '../../../cli/errors.ts';
import { main } from '../../../cli/main.ts';
import { aService } from '../config/sample-config.ts';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  const code = await main(argv, {
    out: sink((t) => {
      out += t;
    }),
    err: sink((t) => {
      err += t;
    }),
    env,
  });
  return { code, out, err };
}

describe('splitCommand', () => {
  it.each([
    [['status', '--json'], 'status', ['--json']],
    [['--stage', 'prod', 'status'], 'status', ['--stage', 'prod']],
    [['--region=eu-west-1', 'history', 'api'], 'history', ['--region=eu-west-1', 'api']],
    [['--debug', 'pause', 'api'], 'pause', ['--debug', 'api']],
    [['--help'], undefined, ['--help']],
  ])('finds the command in %j', (argv, name, rest) => {
    expect(splitCommand(argv)).toEqual({ name, rest });
  });
});

describe('parseCommandLine', () => {
  it('reads global options before or after the positionals, with defaults', () => {
    const line = parseCommandLine(historyCommand, [
      'api',
      '--stage',
      'prod',
      '--limit',
      '5',
      '--table',
      't1',
    ]);

    expect(line.globals).toEqual({ stage: 'prod', table: 't1', debug: false });
    expect(line.args.positionals).toEqual(['api']);
    expect(line.args.values.limit).toBe('5');
    expect(parseCommandLine(statusCommand, []).globals.stage).toBe('dev');
  });

  it.each([
    [statusCommand, ['--jsno'], "Unknown option '--jsno'."],
    [historyCommand, [], 'Missing <service>.'],
    [historyCommand, ['a', 'b'], 'Unexpected argument: b.'],
    [historyCommand, ['a', '--limit'], "Option '--limit <value>' needs a value."],
    [statusCommand, ['--stage', 'prod/../x'], "--stage must be letters, digits and '-'"],
  ])('refuses %s %j with a usage error', (command, argv, message) => {
    expect(() => parseCommandLine(command, argv)).toThrow(UsageError);
    expect(() => parseCommandLine(command, argv)).toThrow(message);
  });

  it('does not ask for positionals when help is asked for', () => {
    expect(parseCommandLine(historyCommand, ['--help']).help).toBe(true);
  });
});

describe('integerOption', () => {
  it('reads a whole number within bounds, or says what is allowed', () => {
    expect(integerOption({ limit: '7' }, 'limit', { min: 1, max: 10, fallback: 3 })).toBe(7);
    expect(integerOption({}, 'limit', { min: 1, max: 10, fallback: 3 })).toBe(3);
    expect(() => integerOption({ limit: '0' }, 'limit', { min: 1, max: 10, fallback: 3 })).toThrow(
      "--limit must be a whole number from 1 to 10, got '0'.",
    );
    expect(() => integerOption({ limit: '2.5' }, 'limit', { min: 1, max: 10, fallback: 3 })).toThrow(
      UsageError,
    );
  });
});

describe('main', () => {
  let dir: string;
  let configFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'failoverctl-unit-'));
    configFile = join(dir, 'failover.config.yml');
    await writeFile(configFile, stringify({ services: [aService('payments-api')] }));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the commands and exits 0 for --help, 2 with no command', async () => {
    const help = await run(['--help']);
    const none = await run([]);

    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^ {2}drill\s+rehearse failover and failback/m);
    expect(none.code).toBe(2);
    expect(none.err).toContain('Usage: failoverctl <command> [options]');
  });

  it('prints the help of one command and exits 0', async () => {
    const out = await run(['drill', '--help']);

    expect(out.code).toBe(0);
    expect(out.out).toContain('Usage: failoverctl drill <service> [--dns-server HOST:PORT]...');
    expect(out.out).toContain('--stage NAME');
  });

  it('estimates the cost of a configuration without any AWS access', async () => {
    const out = await run(['cost', '--config', configFile]);

    expect(out.code).toBe(0);
    expect(out.out).toMatch(/^Total\s+\$14\.26$/m);
    expect(out.out).toMatch(/^Total \(2 checks\)\s+\$5\.00\s+\$9\.50$/m);
  });

  it('exits 2 naming the file when the configuration does not exist', async () => {
    const out = await run(['status', '--config', join(dir, 'missing.yml')]);

    expect(out.code).toBe(2);
    expect(out.err).toContain(`Cannot read the configuration file ${join(dir, 'missing.yml')}`);
  });

  it('checks the options of local before loading the demo', async () => {
    const usage = await run(['local', '--nope']);

    expect(usage.code).toBe(2);
    expect(usage.err).toContain("Unknown option '--nope'.");
  });
});
