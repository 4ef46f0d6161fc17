// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:...} and ${ssm:...} here are configuration references, not templates.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../../../shared/config/index.ts';
import { aService, configErrorFrom } from './sample-config.ts';

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'failover-config-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

function writeConfig(path: string, serviceName: string): void {
  writeFileSync(path, stringify({ services: [aService(serviceName)] }));
}

describe('loadConfig', () => {
  it('reads failover.config.yml from the Lambda task root', () => {
    writeConfig(join(directory, 'failover.config.yml'), 'payments-api');

    const config = loadConfig({ env: { LAMBDA_TASK_ROOT: directory } });

    expect(config.file).toBe(join(directory, 'failover.config.yml'));
    expect(config.services[0]?.name).toBe('payments-api');
  });

  it('reads the file that FAILOVER_CONFIG names, relative to the task root', () => {
    mkdirSync(join(directory, 'config'));
    writeConfig(join(directory, 'failover.config.yml'), 'default-file');
    writeConfig(join(directory, 'config', 'staging.yml'), 'staging-file');

    const config = loadConfig({
      env: { LAMBDA_TASK_ROOT: directory, FAILOVER_CONFIG: 'config/staging.yml' },
    });

    expect(config.file).toBe(join(directory, 'config', 'staging.yml'));
    expect(config.services[0]?.name).toBe('staging-file');
  });

  it('prefers an explicit file over FAILOVER_CONFIG', () => {
    writeConfig(join(directory, 'explicit.yml'), 'explicit-file');
    writeConfig(join(directory, 'from-env.yml'), 'env-file');

    const config = loadConfig({
      file: join(directory, 'explicit.yml'),
      env: { FAILOVER_CONFIG: join(directory, 'from-env.yml') },
    });

    expect(config.services[0]?.name).toBe('explicit-file');
  });

  it('names the missing file and how to provide one', () => {
    const error = configErrorFrom(() => loadConfig({ env: { LAMBDA_TASK_ROOT: directory } }));

    const file = join(directory, 'failover.config.yml');
    expect(error.file).toBe(file);
    expect(error.message).toBe(
      [
        `Cannot read the configuration file ${file}:`,
        `  - no such file; set FAILOVER_CONFIG to your configuration file's path, or create failover.config.yml (start from failover.config.example.yml: cp failover.config.example.yml ${file})`,
      ].join('\n'),
    );
  });

  it('points at FAILOVER_CONFIG when the file it names is missing', () => {
    const error = configErrorFrom(() =>
      loadConfig({ env: { FAILOVER_CONFIG: join(directory, 'nope.yml') } }),
    );

    expect(error.issues[0]?.message).toMatch(
      /^no such file; FAILOVER_CONFIG names it: correct FAILOVER_CONFIG/,
    );
  });

  it('refuses a directory in place of the file', () => {
    const error = configErrorFrom(() => loadConfig({ file: directory }));

    expect(error.issues[0]?.message).toBe('is a directory; name the .yml file itself');
  });

  it('refuses a file over 1 MiB without parsing it', () => {
    const file = join(directory, 'huge.yml');
    const text = `# ${'x'.repeat(1024 * 1024)}\n`;
    writeFileSync(file, text);

    const error = configErrorFrom(() => loadConfig({ file }));

    expect(error.issues[0]?.message).toBe(
      `is ${text.length} bytes; a configuration file may be at most 1 MiB`,
    );
  });

  it('resolves ${env:...} references from the environment it is given', () => {
    const file = join(directory, 'failover.config.yml');
    writeFileSync(file, stringify({ services: [aService('payments-api', { recordName: '${env:RECORD}' })] }));

    const config = loadConfig({ file, env: { RECORD: 'Pay.Example.com' } });

    expect(config.services[0]?.recordName).toBe('pay.example.com.');
  });
});
