/**
 * `npm start` with a configuration whose service has `dataPlane: fallback` (issue #12): the demo
 * provisions the alarms and CLOUDWATCH_METRIC health checks and attaches them to the seeded records
 * at start, prints how to take the local Route 53 API down and bring it back, and the printed
 * commands, run as printed, show the data-plane path: with the API answering 503 a failed primary's
 * traffic moves to the standby through the health checks, and once the API is back the weights are
 * brought in line. The local CloudWatch runs 60x faster (a 60 s alarm period per second).
 */
import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetHealthCheckCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_CONFIG } from '../../local/demo/config.ts';
import { type LocalDemo, startLocalDemo } from '../../local/demo/run.ts';
import { createStateStore } from '../../shared/aws/state-store.ts';

const run = promisify(execFile);
const RECORD = 'api.demo.internal';

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, tries = 250): Promise<T> {
  let value = await probe();
  for (let i = 1; i < tries && !done(value); i++) {
    await sleep(100);
    value = await probe();
  }
  return value;
}

describe('the local demo with a dataPlane service', () => {
  let dir: string;
  let demo: LocalDemo;
  let route53: Route53Client;
  let dynamo: DynamoDBClient;
  let dns: Resolver;
  let printed = '';
  const out = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      printed += chunk.toString();
      callback();
    },
  });
  const answer = async () => (await dns.resolveCname(RECORD).catch(() => []))[0];
  const records = async (): Promise<ResourceRecordSet[]> =>
    (
      await route53.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: demo.config.services[0]?.hostedZoneId }),
      )
    ).ResourceRecordSets?.filter((r) => r.Name === `${RECORD}.`) ?? [];
  /** The printed command whose comment starts so, run in a shell as printed. */
  const runPrinted = async (comment: string) => {
    const line = printed.split('\n').find((l) => l.includes(`# ${comment}`));
    if (line === undefined) throw new Error(`the demo printed no command '# ${comment}'`);
    const command = line.replace(/\s+#.*$/, '').trim();
    await run('sh', ['-c', `${command} --silent --fail --output /dev/null`]);
    return command;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'failover-demo-dp-'));
    const embedded = await readFile(EMBEDDED_CONFIG, 'utf8');
    const anchor = '    recordType: CNAME\n';
    if (!embedded.includes(anchor)) throw new Error('examples/local.config.yml changed: update this test');
    const file = join(dir, 'data-plane.yml');
    await writeFile(
      file,
      embedded.replace(anchor, `${anchor}    dataPlane: fallback\n    dataPlaneDeadlineSeconds: 1\n`),
    );
    demo = await startLocalDemo({
      configFile: file,
      out,
      view: 'events',
      timing: { runSeconds: 4, minDwellSeconds: 600, viewIntervalMs: 200, cloudwatchTimeScale: 60 },
    });
    route53 = new Route53Client({ endpoint: demo.stack.route53.endpoint, region: 'us-east-1' });
    dynamo = new DynamoDBClient({ endpoint: demo.stack.dynamo.endpoint });
    dns = new Resolver({ timeout: 1000, tries: 1 });
    dns.setServers([`127.0.0.1:${demo.dnsPort}`]);
  }, 30_000);

  afterAll(async () => {
    route53?.destroy();
    dynamo?.destroy();
    await demo?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('attaches to each seeded record the health check that follows its own TrafficAllowed alarm', async () => {
    const attached = demo.dataPlane[0]?.healthChecks ?? {};
    const sets = await records();

    expect(Object.keys(attached)).toEqual(['primary', 'secondary']);
    expect(sets.map((r) => [r.SetIdentifier, r.Weight, r.HealthCheckId])).toEqual([
      ['primary', 100, attached.primary],
      ['standby', 0, attached.secondary],
    ]);
    for (const [target, id] of Object.entries(attached)) {
      const check = await route53.send(new GetHealthCheckCommand({ HealthCheckId: id }));
      expect(check.HealthCheck?.HealthCheckConfig).toMatchObject({
        Type: 'CLOUDWATCH_METRIC',
        AlarmIdentifier: {
          Region: 'us-east-1',
          Name: `failover-controller-local-payments-api-${target}-traffic-allowed`,
        },
        InsufficientDataHealthStatus: 'LastKnownStatus',
      });
    }
  });

  it('prints the health checks and how to take the Route 53 API down and bring it back', () => {
    const attached = demo.dataPlane[0]?.healthChecks ?? {};
    const api = demo.stack.route53.endpoint;

    expect(printed).toContain(
      `health checks attached: primary ${attached.primary}, secondary ${attached.secondary}`,
    );
    expect(printed).toContain(
      `curl -X POST ${api}/_local/faults -d '{"action":"failNext","count":1000000000,"error":"ServiceUnavailable"}'   # the Route 53 API down`,
    );
    expect(printed).toContain(`curl -X POST ${api}/_local/reset   # the Route 53 API back`);
  });

  it('moves the answer to the standby through the health checks while the API is down, as printed', async () => {
    // Prepare: the signal allows the primary and the checks have a status.
    expect(await until(answer, (value) => value === 'primary.demo.internal')).toBe('primary.demo.internal');
    await sleep(2_500);
    const changes = demo.stack.route53.changes.length;

    // Act
    await runPrinted('the Route 53 API down');
    const probe = await fetch(`${demo.stack.route53.endpoint}/2013-04-01/hostedzone`);
    const primary = demo.backends.primary;
    if (primary === undefined) throw new Error('the demo started no primary');
    await fetch(`${primary.url}/fail`, { method: 'POST' });
    const moved = await until(answer, (value) => value === 'standby.demo.internal');

    // Assess
    expect(probe.status).toBe(503);
    expect(moved).toBe('standby.demo.internal');
    expect(demo.stack.route53.changes.length).toBe(changes);
    const store = createStateStore({ client: dynamo, table: demo.stack.env.STATE_TABLE ?? '' });
    const flips = (await store.history('payments-api', 20)).filter((e) => e.kind === 'failover');
    expect(flips).toHaveLength(1);
    expect(flips[0]?.details).toMatchObject({ mechanism: 'data-plane' });
  }, 40_000);

  it('brings the weights in line once the API is back, as printed', async () => {
    await runPrinted('the Route 53 API back');

    const sets = await until(
      records,
      (found) => found.find((r) => r.SetIdentifier === 'standby')?.Weight === 100,
    );

    expect(sets.map((r) => [r.SetIdentifier, r.Weight])).toEqual([
      ['primary', 0],
      ['standby', 100],
    ]);
    expect(await answer()).toBe('standby.demo.internal');
  }, 40_000);
});
