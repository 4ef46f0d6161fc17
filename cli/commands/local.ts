/**
 * `failoverctl local`: the local demo (local Route 53, DynamoDB, two demo backends, the real
 * handlers), the same as `npm start`. Loaded on demand so the CLI works without it.
 */
import { fileURLToPath } from 'node:url';
import type { Command } from '../command.ts';
import { stringOption } from '../command.ts';
import type { CliContext } from '../context.ts';
import { EXIT_OK, OperationError } from '../errors.ts';

type RunLocalDemo = (options: {
  configFile?: string;
  dataDir?: string;
  out?: NodeJS.WritableStream;
  signal?: AbortSignal;
}) => Promise<void>;

export const DEMO_MODULE = new URL('../../local/demo/run.ts', import.meta.url);

export const localCommand: Command = {
  name: 'local',
  summary: 'run the local demo stack (same as npm start); Ctrl-C stops it',
  usage: 'failoverctl local [--config FILE] [--data-dir DIR]',
  details: ['--data-dir DIR   keep the local DynamoDB data in DIR (default: in memory)'],
  options: { 'data-dir': { type: 'string' } },
  positionals: [],
  async run(ctx: CliContext, args) {
    const runLocalDemo = await loadDemo();
    const dataDir = stringOption(args.values, 'data-dir');
    await runLocalDemo({
      out: ctx.io.out,
      ...(ctx.globals.configFile === undefined ? {} : { configFile: ctx.globals.configFile }),
      ...(dataDir === undefined ? {} : { dataDir }),
      ...(ctx.io.signal === undefined ? {} : { signal: ctx.io.signal }),
    });
    return EXIT_OK;
  },
};

async function loadDemo(): Promise<RunLocalDemo> {
  let module: unknown;
  try {
    module = await import(DEMO_MODULE.href);
  } catch (error) {
    const missing =
      error instanceof Error &&
      'code' in error &&
      error.code === 'ERR_MODULE_NOT_FOUND' &&
      error.message.includes(fileURLToPath(DEMO_MODULE));
    throw new OperationError(
      missing
        ? 'The local demo is not part of this checkout (local/demo/run.ts is missing). Use the deployed stack, or update the repository.'
        : `The local demo could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const run =
    module !== null && typeof module === 'object' && 'runLocalDemo' in module
      ? module.runLocalDemo
      : undefined;
  if (typeof run !== 'function') {
    throw new OperationError(
      'local/demo/run.ts does not export runLocalDemo(options); the demo cannot start.',
    );
  }
  return run as RunLocalDemo;
}
