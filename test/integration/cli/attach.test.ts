/**
 * `failoverctl attach` (issue #12) on the local stack: the real CLI, real SDK clients over HTTP to the
 * local Route 53 and CloudWatch, the alarms and health checks provisioned from the deploy's own
 * definitions (local/data-plane.ts). A flip between attach's read and its change is made to land
 * there by a pass-through proxy in front of the local Route 53 that runs the real failover handler
 * just before it forwards attach's change batch.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  ChangeResourceRecordSetsCommand,
  CreateHealthCheckCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProvisionedTarget, provisionDataPlane } from '../../../local/data-plane.ts';
import { loadConfig } from '../../../shared/config/index.ts';
import { type ChaosStack, startChaosStack } from '../../chaos/support/chaos-stack.ts';
import { runCli } from './run-cli.ts';

const STAGE = ['--stage', 'local'];
const SCOPE = { stack: 'failover-controller-local', stage: 'local', region: 'us-east-1' } as const;

describe('failoverctl attach', () => {
  let stack: ChaosStack;
  let route53: Route53Client;
  let cloudwatch: CloudWatchClient;
  /** The provisioned health check of each `service/target`. */
  const checkOf = new Map<string, string>();

  const records = async (service: string): Promise<ResourceRecordSet[]> => {
    const out = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: stack.zoneId }));
    return (out.ResourceRecordSets ?? []).filter((r) => r.Name === stack.recordName(service));
  };
  const bySet = async (service: string) =>
    Object.fromEntries((await records(service)).map((r) => [r.SetIdentifier, r]));
  const applied = () => stack.route53.changes.length;

  beforeAll(async () => {
    stack = await startChaosStack(
      [
        { name: 'dp', dataPlane: 'fallback' },
        { name: 'only', dataPlane: 'only' },
        { name: 'off', dataPlane: 'off' },
        { name: 'unprovisioned', dataPlane: 'fallback' },
        { name: 'foreign', dataPlane: 'fallback' },
        { name: 'race', dataPlane: 'fallback' },
      ],
      { cloudwatch: { timeScale: 1 } },
    );
    route53 = new Route53Client({ region: 'us-east-1' });
    cloudwatch = new CloudWatchClient({ region: 'us-east-1' });
    const config = loadConfig({ env: process.env });
    // As the deploy would, for every dataPlane service but one that was never deployed with it.
    const provisioned: ProvisionedTarget[] = await provisionDataPlane(
      { cloudwatch, route53 },
      { services: config.services.filter((s) => s.name !== 'unprovisioned') },
      { ...SCOPE, namespace: 'FailoverController' },
    );
    for (const p of provisioned) checkOf.set(`${p.service}/${p.target}`, p.healthCheckId);
  }, 60_000);

  afterAll(async () => {
    route53?.destroy();
    cloudwatch?.destroy();
    await stack?.close();
  });

  it('--dry-run prints the exact batch, DELETE as read and CREATE with the health check, and changes nothing', async () => {
    // Prepare
    const before = await bySet('dp');
    const changesBefore = applied();

    // Act
    const run = await runCli([...STAGE, 'attach', 'dp', '--dry-run']);

    // Assess
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toContain(`dp/primary: health check ${checkOf.get('dp/primary')}`);
    expect(run.out).toContain(`Would send to hosted zone ${stack.zoneId} (nothing was changed):`);
    const batch = JSON.parse(run.out.slice(run.out.indexOf('{'))) as {
      Comment: string;
      Changes: { Action: string; ResourceRecordSet: ResourceRecordSet }[];
    };
    expect(batch.Changes).toEqual([
      { Action: 'DELETE', ResourceRecordSet: before.primary },
      {
        Action: 'CREATE',
        ResourceRecordSet: { ...before.primary, HealthCheckId: checkOf.get('dp/primary') },
      },
      { Action: 'DELETE', ResourceRecordSet: before.secondary },
      {
        Action: 'CREATE',
        ResourceRecordSet: { ...before.secondary, HealthCheckId: checkOf.get('dp/secondary') },
      },
    ]);
    expect(applied()).toBe(changesBefore);
    expect(await bySet('dp')).toEqual(before);
  });

  it("puts each target's own health check on its record in one change, every other field as read", async () => {
    // Prepare
    const before = await bySet('dp');
    const changesBefore = applied();

    // Act
    const run = await runCli([...STAGE, 'attach', 'dp']);

    // Assess
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toMatch(/Attached: Route 53 accepted change \S+ for dp\./);
    expect(applied()).toBe(changesBefore + 1);
    const after = await bySet('dp');
    expect(after).toEqual({
      primary: { ...before.primary, HealthCheckId: checkOf.get('dp/primary') },
      secondary: { ...before.secondary, HealthCheckId: checkOf.get('dp/secondary') },
    });
    expect(checkOf.get('dp/primary')).not.toBe(checkOf.get('dp/secondary'));
  });

  it('changes nothing when run again, and says every record already carries its health check', async () => {
    const before = await bySet('dp');
    const changesBefore = applied();

    const run = await runCli([...STAGE, 'attach', 'dp']);

    expect(run.code).toBe(0);
    expect(run.out).toContain('Every record of dp already carries its health check; nothing to change.');
    expect(applied()).toBe(changesBefore);
    expect(await bySet('dp')).toEqual(before);
  });

  it('attaches a service with dataPlane: only the same way', async () => {
    const run = await runCli([...STAGE, 'attach', 'only']);

    expect(run.code).toBe(0);
    const after = await bySet('only');
    expect(after.primary?.HealthCheckId).toBe(checkOf.get('only/primary'));
    expect(after.secondary?.HealthCheckId).toBe(checkOf.get('only/secondary'));
  });

  it('refuses a service with dataPlane: off, naming it and what to set', async () => {
    const before = await bySet('off');
    const changesBefore = applied();

    const run = await runCli([...STAGE, 'attach', 'off']);

    expect(run.code).toBe(1);
    expect(run.err).toContain('Service off has no dataPlane (it is off): set dataPlane: fallback (or only)');
    expect(applied()).toBe(changesBefore);
    expect(await bySet('off')).toEqual(before);
  });

  it('refuses when the health checks were never provisioned, naming the alarm, the service, the target and the fix', async () => {
    const changesBefore = applied();

    const run = await runCli([...STAGE, 'attach', 'unprovisioned']);

    expect(run.code).toBe(1);
    expect(run.err).toContain(
      'No Route 53 health checks follow alarm failover-controller-local-unprovisioned-primary-traffic-allowed (us-east-1) for unprovisioned/primary',
    );
    expect(run.err).toContain('deploy the stack with dataPlane set first');
    expect(applied()).toBe(changesBefore);
  });

  it('finds nothing under another stage: the health checks are those of the stage asked for', async () => {
    const run = await runCli(['--stage', 'prod', 'attach', 'race']);

    expect(run.code).toBe(1);
    expect(run.err).toContain('alarm failover-controller-prod-race-primary-traffic-allowed');
    expect((await bySet('race')).primary?.HealthCheckId).toBeUndefined();
  });

  it('refuses a record that already carries another health check, naming service, record and what to do', async () => {
    // Prepare: an operator's own check on the standby record.
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'someone-elses-alarm',
        Namespace: 'Elsewhere',
        MetricName: 'Up',
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
      }),
    );
    const theirs = await route53.send(
      new CreateHealthCheckCommand({
        CallerReference: 'someone-elses-check',
        HealthCheckConfig: {
          Type: 'CLOUDWATCH_METRIC',
          AlarmIdentifier: { Region: 'us-east-1', Name: 'someone-elses-alarm' },
          InsufficientDataHealthStatus: 'Healthy',
        },
      }),
    );
    const theirId = theirs.HealthCheck?.Id ?? '';
    const standby = (await bySet('foreign')).secondary;
    if (standby === undefined) throw new Error('no standby record for foreign');
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: stack.zoneId,
        ChangeBatch: {
          Changes: [{ Action: 'UPSERT', ResourceRecordSet: { ...standby, HealthCheckId: theirId } }],
        },
      }),
    );
    const before = await bySet('foreign');
    const changesBefore = applied();

    // Act
    const run = await runCli([...STAGE, 'attach', 'foreign']);

    // Assess
    expect(run.code).toBe(1);
    expect(run.err).toContain(
      `The secondary record of foreign (${stack.recordName('foreign')}) already carries health check ${theirId}, ` +
        `not ${checkOf.get('foreign/secondary')}`,
    );
    expect(run.err).toContain('nothing was changed');
    expect(run.err).toContain('Remove that health check from the record');
    expect(applied()).toBe(changesBefore);
    // Not even the primary record, which carried none: one batch or nothing.
    expect(await bySet('foreign')).toEqual(before);
  });

  it('fails rather than undo a flip that lands between its read and its change; run again, it attaches to the flipped weights', async () => {
    // Prepare: a proxy that lets a planned failover land just before attach's change batch arrives.
    // The flip handler's own clients may be built (cold start) while the variable points here: its
    // change passes through too; only the first change batch, attach's, waits for the flip.
    let flipped: unknown;
    let held = false;
    const proxy = await startProxy(new URL(stack.route53.endpoint), async (method, path) => {
      if (held || method !== 'POST' || !path.endsWith('/rrset')) return;
      held = true;
      flipped = await stack.invoke('failover', {
        service: 'race',
        requestedBy: 'alice',
        reason: 'in between',
      });
    });
    try {
      // Act
      // The CLI's SDK client reads its endpoint from the process environment.
      const direct = process.env.AWS_ENDPOINT_URL_ROUTE_53;
      process.env.AWS_ENDPOINT_URL_ROUTE_53 = proxy.url;
      const run = await runCli([...STAGE, 'attach', 'race']).finally(() => {
        process.env.AWS_ENDPOINT_URL_ROUTE_53 = direct;
      });

      // Assess: the batch was refused, the flip stands.
      expect(flipped).toMatchObject({ outcome: 'failed-over' });
      expect(run.code).not.toBe(0);
      expect(run.err).toContain(
        'The records of race changed after attach read them (a flip or a hand edit), so Route 53 refused the ' +
          'batch and nothing was changed: run failoverctl attach race again',
      );
      const afterRace = await bySet('race');
      expect([afterRace.primary?.Weight, afterRace.secondary?.Weight]).toEqual([0, 100]);
      expect(afterRace.primary?.HealthCheckId).toBeUndefined();
      expect(await stack.state('race')).toMatchObject({ active: 'secondary', epoch: 1 });

      const again = await runCli([...STAGE, 'attach', 'race']);

      expect(again.code).toBe(0);
      const attached = await bySet('race');
      expect(attached).toEqual({
        primary: { ...afterRace.primary, HealthCheckId: checkOf.get('race/primary') },
        secondary: { ...afterRace.secondary, HealthCheckId: checkOf.get('race/secondary') },
      });
    } finally {
      await proxy.close();
    }
  });
});

/**
 * A pass-through HTTP proxy to `target` that awaits `before(method, path)` once the whole request
 * is in, then forwards it unchanged and the answer back unchanged.
 */
async function startProxy(
  target: URL,
  before: (method: string, path: string) => Promise<void>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((incoming, answer) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const method = incoming.method ?? 'GET';
      const path = incoming.url ?? '/';
      before(method, path)
        .then(() => {
          const out = request(
            { host: target.hostname, port: target.port, method, path, headers: incoming.headers },
            (reply) => {
              answer.writeHead(reply.statusCode ?? 502, reply.headers);
              reply.pipe(answer);
            },
          );
          out.on('error', (error) => answer.destroy(error));
          out.end(Buffer.concat(chunks));
        })
        .catch((error: unknown) => answer.destroy(error instanceof Error ? error : new Error(String(error))));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
