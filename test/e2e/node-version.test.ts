/**
 * A newcomer on a Node too old to run the project's .ts files (Node 20 is still common) gets one
 * sentence — the Node needed, the one they have, how to get it — from `npm start`, the other npm
 * scripts, `npx failoverctl` and the bin, and a refusal from `npm install` (engine-strict), instead
 * of ERR_UNKNOWN_FILE_EXTENSION. Runs the entry points under an older Node binary found on this
 * machine; where there is none, the tests say so and skip.
 */
import { execFile, spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';

interface Run {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

function run(command: string, args: readonly string[], options: { cwd?: string; path?: string } = {}) {
  return new Promise<Run>((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd ?? process.cwd(),
        env: { ...process.env, PATH: options.path ?? process.env.PATH, NO_UPDATE_NOTIFIER: '1' },
        timeout: 60_000,
      },
      (error, out, err) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, out, err });
      },
    );
  });
}

/** A `node` on this machine that cannot run .ts files (older than 22.18), or why there is none. */
function findOldNode(): { readonly path: string; readonly version: string } | { readonly missing: string } {
  const listed = spawnSync('which', ['-a', 'node'], { encoding: 'utf8' }).stdout ?? '';
  const candidates = [
    ...new Set([...listed.split('\n'), '/usr/bin/node', '/usr/local/bin/node'].filter((p) => p !== '')),
  ];
  for (const path of candidates) {
    const probe = spawnSync(path, ['-p', 'process.version + " " + Boolean(process.features.typescript)'], {
      encoding: 'utf8',
    });
    const [version, typescript] = (probe.stdout ?? '').trim().split(' ');
    if (probe.status === 0 && version !== undefined && typescript === 'false') return { path, version };
  }
  return { missing: `no Node older than 22.18 on this machine (looked at ${candidates.join(', ')})` };
}

const old = findOldNode();
if ('missing' in old) console.warn(`node-version tests skipped: ${old.missing}`);

function oldNode(ctx: TestContext): { path: string; version: string } {
  if ('missing' in old) return ctx.skip(old.missing);
  return old;
}

/** PATH with the old Node's folder first, as on a machine whose only Node is that one. */
function oldPath(node: { path: string }): string {
  return [dirname(node.path), process.env.PATH ?? ''].join(delimiter);
}

function expectTheSentence(output: string, node: { path: string; version: string }): void {
  const lines = output.split('\n').filter((line) => line.includes('failover-controller needs'));
  expect(lines).toEqual([
    `failover-controller needs Node.js 22.18 or newer (it runs its .ts files directly), but this is Node.js ${node.version} (${node.path}): install Node.js 22 (https://nodejs.org/en/download, or \`nvm install 22\`), put it first on PATH and run the command again.`,
  ]);
  expect(output).not.toContain('ERR_UNKNOWN_FILE_EXTENSION');
  expect(output).not.toMatch(/^\s+at /m);
}

describe('the entry points on a Node older than 22.18', () => {
  it('npm start, npm run bench and npm run soak print which Node is needed and exit 1', async (ctx) => {
    const node = oldNode(ctx);

    const runs = await Promise.all(
      ['start', 'bench', 'soak'].map((script) => run('npm', ['run', '-s', script], { path: oldPath(node) })),
    );

    for (const result of runs) {
      expect(result.code).toBe(1);
      expectTheSentence(result.err, node);
    }
  });

  it('npx failoverctl and the failoverctl bin print which Node is needed and exit 1', async (ctx) => {
    const node = oldNode(ctx);

    const viaNpx = await run('npx', ['--no-install', 'failoverctl', 'status'], { path: oldPath(node) });
    const viaBin = await run(node.path, ['cli/failoverctl.cjs', 'status']);

    expect(viaBin.code).toBe(1);
    expect(viaBin.out).toBe('');
    expectTheSentence(viaBin.err, node);
    // Whether npx reaches the bin depends on its cache: where it has to install the project first,
    // npm itself refuses (engine-strict) and names the Node needed and the one found.
    expect(viaNpx.code).toBe(1);
    expect(viaNpx.out).toBe('');
    if (viaNpx.err.includes('EBADENGINE')) {
      expect(viaNpx.err).toContain('Required: {"node":"^22.18.0 || >=23.6.0"}');
      expect(viaNpx.err).toContain(`Actual:   {"node":"${node.version}"`);
    } else {
      expectTheSentence(viaNpx.err, node);
    }
  });
});

describe('npm install on a Node older than 22.18', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'failover-engines-'));
    for (const file of ['package.json', 'package-lock.json', '.npmrc']) await copyFile(file, join(dir, file));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses before installing anything, naming the Node required and the Node found', async (ctx) => {
    const node = oldNode(ctx);

    // --offline: the engine check comes before any download; should it not, nothing is fetched.
    const result = await run('npm', ['install', '--offline', '--no-audit', '--no-fund'], {
      cwd: dir,
      path: oldPath(node),
    });

    expect(result.code).not.toBe(0);
    expect(result.err).toContain('EBADENGINE');
    expect(result.err).toContain('Required: {"node":"^22.18.0 || >=23.6.0"}');
    expect(result.err).toContain(`"node":"${node.version}"`);
    expect(await readdir(dir)).not.toContain('node_modules');
  });
});

describe('the entry points on this Node', () => {
  it('run the .ts entry with its own arguments', async () => {
    const help = await run(process.execPath, ['cli/failoverctl.cjs', '--help']);
    const badFlag = await run(process.execPath, ['cli/node-entry.cjs', 'local/demo/start.ts', '--bogus']);

    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: failoverctl <command> [options]');
    expect(badFlag.code).toBe(2);
    expect(badFlag.err).toContain("Unknown option '--bogus'");
    expect(badFlag.err).toContain('Usage: npm start -- [options]');
  });
});
