/**
 * A fleet of services on the local stack for benchmarks: hosted zones with a weighted CNAME pair
 * per service, one local HTTP backend that answers every target's health check (and can fail
 * any of them), and a configuration file the real handlers load.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { contextFor } from '../../test/e2e/harness.ts';

export interface FleetOptions {
  readonly services: number;
  readonly zones: number;
  readonly probeIntervalSeconds?: number;
  readonly timeoutMs?: number;
  /** How long a Route 53 change stays PENDING (the DNS answers only what is INSYNC); default 0. */
  readonly inSyncDelayMs?: number;
  /**
   * Async retries of the flip functions; default 0. `'deployed'`: the Lambda stand-in runs them with
   * every setting as deployed (reserved concurrency, retries, event age), as a measurement must.
   */
  readonly flipRetries?: number | 'deployed';
}

export interface Fleet {
  readonly stack: LocalStack;
  readonly names: readonly string[];
  readonly zoneIds: readonly string[];
  /** Health requests the backend has answered. */
  healthRequests(): number;
  /** The fully qualified record name of a service (`svc-000.fleet-0.test.`). */
  recordName(service: string): string;
  /** The CNAME value of a service's target (`secondary.svc-000.example.net`). */
  targetHost(service: string, target: 'primary' | 'secondary'): string;
  /** The index of the hosted zone (in `zoneIds`) that holds a service. */
  zoneIndexOf(service: string): number;
  /** From now on every primary's health check answers 503 (`true`) or 200 again (`false`), all at once. */
  failPrimaries(fail: boolean): void;
  close(): Promise<void>;
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const dir = await mkdtemp(join(tmpdir(), 'failover-bench-'));
  const retries = options.flipRetries ?? 0;
  const stack = await startLocalStack({
    inSyncDelayMs: options.inSyncDelayMs ?? 0,
    ...(retries === 'deployed' ? {} : { flipRetries: retries }),
  });
  let requests = 0;
  let primariesFail = false;
  const backend = createServer((request, response) => {
    requests += 1;
    if (primariesFail && (request.url ?? '').endsWith('/primary/health')) {
      response.writeHead(503, { 'content-type': 'text/plain' }).end('failing');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve) =>
    backend.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve),
  );
  const origin = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;

  const route53 = new Route53Client({ region: 'us-east-1' });
  const zoneIds: string[] = [];
  for (let zone = 0; zone < options.zones; zone++) {
    const created = await route53.send(
      new CreateHostedZoneCommand({
        Name: `fleet-${zone}.test.`,
        CallerReference: `bench-${zone}-${Date.now()}`,
      }),
    );
    zoneIds.push((created.HostedZone?.Id ?? '').replace('/hostedzone/', ''));
  }
  const names = Array.from({ length: options.services }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
  const zoneOf = (index: number) => index % options.zones;
  for (let zone = 0; zone < options.zones; zone++) {
    const changes: Change[] = names
      .filter((_, index) => zoneOf(index) === zone)
      .flatMap((name) =>
        (['primary', 'secondary'] as const).map(
          (target): Change => ({
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: `${name}.fleet-${zone}.test.`,
              Type: 'CNAME',
              SetIdentifier: target,
              Weight: target === 'primary' ? 100 : 0,
              TTL: 30,
              ResourceRecords: [{ Value: `${target}.${name}.example.net` }],
            },
          }),
        ),
      );
    for (let start = 0; start < changes.length; start += 200) {
      await route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneIds[zone],
          ChangeBatch: { Changes: changes.slice(start, start + 200) },
        }),
      );
    }
  }
  route53.destroy();

  const timeout = options.timeoutMs ?? 500;
  const lines = [
    'defaults:',
    `  probeIntervalSeconds: ${options.probeIntervalSeconds ?? 1}`,
    '  failureThreshold: 2',
    '  recoveryThreshold: 2',
    '  minDwellSeconds: 0',
    '  failback: manual',
    'services:',
    ...names.flatMap((name, index) => [
      `  - name: ${name}`,
      `    hostedZoneId: ${zoneIds[zoneOf(index)]}`,
      `    recordName: ${name}.fleet-${zoneOf(index)}.test.`,
      '    recordType: CNAME',
      '    primary:',
      '      setIdentifier: primary',
      `      checks: [{ http: { url: "${origin}/${name}/primary/health", timeoutMs: ${timeout}, bodyContains: ok } }]`,
      '    secondary:',
      '      setIdentifier: secondary',
      `      checks: [{ http: { url: "${origin}/${name}/secondary/health", timeoutMs: ${timeout} } }]`,
    ]),
  ];
  const configFile = join(dir, 'failover.config.yml');
  await writeFile(configFile, `${lines.join('\n')}\n`);
  process.env.FAILOVER_CONFIG = configFile;

  return {
    stack,
    names,
    zoneIds,
    healthRequests: () => requests,
    recordName: (service) => `${service}.fleet-${zoneOf(names.indexOf(service))}.test.`,
    targetHost: (service, target) => `${target}.${service}.example.net`,
    zoneIndexOf: (service) => zoneOf(names.indexOf(service)),
    failPrimaries: (fail) => {
      primariesFail = fail;
    },
    close: async () => {
      await stack.close();
      await new Promise<void>((resolve) => backend.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The watchdog context of a run of `rounds` 1 s rounds (the e2e harness's). */
export const watchdogContext = contextFor;

/**
 * Keeps the handlers' JSON log lines and EMF metric documents off the benchmark's output (they
 * go to stdout, as in Lambda); the returned function puts stdout back.
 */
export function muteHandlerOutput(): () => void {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.startsWith('{"_aws"') || text.startsWith('{"level"')) return true;
    return (write as (chunk: string | Uint8Array, ...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  return () => {
    process.stdout.write = write;
  };
}
