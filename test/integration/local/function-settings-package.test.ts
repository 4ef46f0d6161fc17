/**
 * No setting of the Lambda stand-in is copied by hand: the settings it compiles from serverless.yml
 * are exactly those `serverless package` (osls) writes into the CloudFormation template.
 * Packages once (~20-60 s).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PROJECT_ROOT,
  readServerlessYml,
  type ServerlessYml,
  settingsFromServerlessYml,
  settingsFromTemplate,
} from '../../../local/lambda/settings.ts';

const run = promisify(execFile);
const STAGE = 'local';

describe('function settings against the packaged template', () => {
  let dir: string;
  let template: unknown;
  let yml: ServerlessYml;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'failover-settings-package-'));
    await run('npx', ['serverless', 'package', '--stage', STAGE, '--package', dir], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        FAILOVER_CONFIG: 'failover.config.example.yml',
        HEALTH_TOKEN: 'token',
        LEDGER_PRIMARY_HOST: 'ledger-primary.internal',
        PLATFORM_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x',
        PAGERDUTY_ROUTING_KEY: 'routing-key',
        SLS_TELEMETRY_DISABLED: '1',
      },
      timeout: 150_000,
    });
    template = JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
    yml = readServerlessYml(join(PROJECT_ROOT, 'serverless.yml'));
  }, 180_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('compiles from serverless.yml exactly the settings osls packages, for every function', () => {
    const fromTemplate = settingsFromTemplate(template, yml);
    const fromYml = settingsFromServerlessYml(yml, STAGE);

    expect(fromYml.size).toBeGreaterThan(0);
    expect(Object.fromEntries(fromYml)).toEqual(Object.fromEntries(fromTemplate));
  });

  it('finds each on-failure destination among the template’s resources', () => {
    const resources = (template as { Resources: Record<string, unknown> }).Resources;
    const refs = [...settingsFromTemplate(template, yml).values()]
      .map((s) => s.onFailure)
      .filter((d): d is string => d?.startsWith('Ref:') === true);

    for (const ref of refs) expect(resources).toHaveProperty(ref.slice('Ref:'.length));
  });
});
