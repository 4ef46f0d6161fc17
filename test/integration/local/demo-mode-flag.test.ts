/**
 * `npm start -- --mode` (issue #13) as a person types it: an unknown mode, or a mode beside a
 * --config of one's own, is refused with exit 2 and the usage; `--help` lists the flag.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const start = (...args: string[]) =>
  spawnSync(process.execPath, ['local/demo/start.ts', ...args], { encoding: 'utf8' });

describe('npm start --mode', () => {
  it('refuses a mode it does not know with exit 2, naming the two it does', () => {
    const run = start('--mode', 'active-standby');

    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--mode must be active-active or active-passive, got 'active-standby'");
    expect(run.stderr).toContain('Usage: npm start -- [options]');
  });

  it('refuses --mode beside --config: the file sets its own mode', () => {
    const run = start('--mode', 'active-active', '--config', 'examples/local.config.yml');

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('a --config file sets its own mode');
  });

  it('lists --mode and --tertiary-port in --help', () => {
    const run = start('--help');

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--mode active-active|active-passive');
    expect(run.stdout).toContain('--tertiary-port');
  });
});
