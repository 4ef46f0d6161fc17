/**
 * `serverless package` (and so `deploy`, which resolves the same variables first) with a missing
 * or invalid failover configuration: the person sees the configuration report alone — file, field
 * path, line, what to do — not osls's wrapper and stack trace, and the command fails.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Run {
  readonly code: number | null;
  readonly output: string;
}

function serverlessPackage(configFile: string, packageDir: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['serverless', 'package', '--stage', 'ci', '--package', packageDir],
      {
        cwd: process.cwd(),
        env: {
          ...process.env,
          FAILOVER_CONFIG: configFile,
          HEALTH_TOKEN: 'token',
          LEDGER_PRIMARY_HOST: 'ledger-primary.internal',
          PLATFORM_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x',
          PAGERDUTY_ROUTING_KEY: 'routing-key',
          SLS_TELEMETRY_DISABLED: '1',
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** What osls prints around an error it reports itself. */
function expectNoStackTrace(output: string): void {
  expect(output).not.toMatch(/^\s+at /m);
  expect(output).not.toContain('node_modules/osls');
  expect(output).not.toContain('Variables resolution errored');
  expect(output).not.toContain('Environment:');
}

describe('serverless package with a bad failover configuration', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'failover-bad-config-'));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('names the missing file and how to create it, without a stack trace, and fails', async () => {
    const missing = join(dir, 'no-such.config.yml');

    const run = await serverlessPackage(missing, join(dir, 'out-missing'));

    expect(run.code).toBe(1);
    expect(run.output).toContain(`Cannot read the configuration file ${missing}:`);
    expect(run.output).toContain('cp failover.config.example.yml');
    expect(run.output).toContain('nothing was packaged or deployed');
    expectNoStackTrace(run.output);
  }, 90_000);

  it('lists every invalid field with its path and line, only that, and packages nothing', async () => {
    const example = await readFile('failover.config.example.yml', 'utf8');
    const broken = join(dir, 'broken.config.yml');
    const text = example
      .replace('failureThreshold: 3 #', 'failureThreshold: 0 #')
      .replace('recordType: CNAME #', 'recordType: TXT #');
    expect(text).not.toBe(example);
    await writeFile(broken, text);
    const out = join(dir, 'out-broken');

    const run = await serverlessPackage(broken, out);

    const lines = run.output.trim().split('\n');
    expect(run.code).toBe(1);
    expect(lines).toEqual([
      `Invalid configuration in ${broken} (2 problems):`,
      expect.stringMatching(/^ {2}- defaults\.failureThreshold: must be .*, got 0 \(line \d+\)$/),
      expect.stringMatching(
        /^ {2}- services\[0\]\.recordType: must be A, AAAA or CNAME, got "TXT" \(line \d+\)$/,
      ),
      '',
      'serverless stopped: fix the failover configuration above (nothing was packaged or deployed).',
    ]);
    expectNoStackTrace(run.output);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  }, 90_000);
});
