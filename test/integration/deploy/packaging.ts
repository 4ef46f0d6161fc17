/**
 * `serverless package` of a copy of the service, offline, for the template tests: serverless-esbuild
 * builds in the service directory (.esbuild, .serverless), so two test files packaging the same one
 * at once would overwrite each other's bundles.
 */
import { execFile } from 'node:child_process';
import { cp, realpath, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);

/** What `serverless package` reads from the service directory. */
const SERVICE_FILES = ['serverless.yml', 'package.json', 'tsconfig.json', 'deploy', 'shared', 'functions'];

/** A copy of the service in `dir` to package from; node_modules is linked, not copied. */
export async function serviceCopy(dir: string): Promise<string> {
  const service = join(dir, 'service');
  for (const name of SERVICE_FILES) await cp(name, join(service, name), { recursive: true });
  await symlink(await realpath('node_modules'), join(service, 'node_modules'), 'dir');
  return service;
}

/** `serverless package --stage ci --region <region>` of `service` with `config`, into `out`. */
export function serverlessPackage(service: string, config: string, region: string, out: string) {
  return run('npx', ['serverless', 'package', '--stage', 'ci', '--region', region, '--package', out], {
    cwd: service,
    env: {
      ...process.env,
      FAILOVER_CONFIG: config,
      LEDGER_PRIMARY_HOST: 'ledger-primary.internal',
      SLS_TELEMETRY_DISABLED: '1',
    },
    timeout: 120_000,
  });
}

export async function onPath(program: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${program}`]).then(
    () => true,
    () => false,
  );
}
