/**
 * `npm run bench` (through cli/node-entry.cjs, which checks the Node version first): runs every
 * `bench/*.bench.ts` in turn (or those named on the command line) and prints their numbers. Each
 * bench file default-exports `async () => void` and prints its own lines; benchmarks measure, they
 * do not assert.
 *
 * Each bench runs in a process of its own, as a Lambda cold start would: the handlers' runtimes are
 * built once per process from the environment of the local stack that bench starts, so a bench
 * after another in one process would reach the first one's closed stack. The child's environment
 * points the AWS SDK at nothing real: local credentials and region (each bench sets its endpoints).
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ONE = '--one';

/** Never the caller's AWS credentials or profile: every bench talks to local stand-ins only. */
const LOCAL_AWS: Readonly<Record<string, string>> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_EC2_METADATA_DISABLED: 'true',
};

if (process.argv[2] === ONE) {
  const file = process.argv[3] ?? '';
  const mod: { default: () => Promise<void> } = await import(pathToFileURL(join(here, file)).href);
  await mod.default();
} else {
  const only = process.argv.slice(2);
  const files = (await readdir(here))
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.includes(basename(f, '.bench.ts')))
    .sort();
  const { AWS_SESSION_TOKEN: _token, AWS_PROFILE: _profile, ...env } = process.env;
  for (const file of files) {
    console.log(`\n== ${basename(file, '.bench.ts')} ==`);
    const code = await new Promise<number | null>((resolve) => {
      spawn(process.execPath, [fileURLToPath(import.meta.url), ONE, file], {
        stdio: 'inherit',
        env: { ...env, ...LOCAL_AWS },
      }).on('exit', resolve);
    });
    if (code !== 0) process.exitCode = 1;
  }
}
