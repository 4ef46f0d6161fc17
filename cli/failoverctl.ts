#!/usr/bin/env node
/**
 * The `failoverctl` command (`npx failoverctl status`, `npm run failoverctl -- status`). The bin is
 * cli/failoverctl.cjs, which checks that this Node can run .ts files before loading this one.
 * Ctrl-C (or SIGTERM) aborts a long command (drill, local) cleanly; a second one exits at once.
 */
import { main } from './main.ts';

// `failoverctl status | head`: a closed pipe ends the command quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const interrupt = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupt.abort();
    process.once(signal, () => process.exit(130));
  });
}

process.exitCode = await main(process.argv.slice(2), {
  out: process.stdout,
  err: process.stderr,
  env: process.env,
  signal: interrupt.signal,
});
