/**
 * `npm run bench` (through cli/node-entry.cjs, which checks the Node version first): runs every `bench/*.bench.ts` in turn (or those named on the command line)
 * and prints their numbers. Each bench file default-exports `async () => void` and prints its
 * own lines; benchmarks measure, they do not assert.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = (await readdir(here))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.includes(basename(f, '.bench.ts')))
  .sort();

for (const file of files) {
  console.log(`\n== ${basename(file, '.bench.ts')} ==`);
  const mod: { default: () => Promise<void> } = await import(pathToFileURL(join(here, file)).href);
  await mod.default();
}
