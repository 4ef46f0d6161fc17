/**
 * Chaos, issue #12: the Route 53 API down (every call 503) while a primary fails. The real watchdog
 * and failover handlers, the local Route 53 (its DNS answers weighted records by the health of the
 * CLOUDWATCH_METRIC checks on them) and the local CloudWatch on a clock 60 times faster than real
 * time, so each 60 s alarm period passes in one second: the test takes seconds, the semantics are
 * those of the 60 s periods (the "10 minutes" of the issue are the bench's, `npm run bench -- data-plane`).
 */
import { Resolver } from 'node:dns/promises';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyAttach, planAttach } from '../../cli/attach-plan.ts';
import { provisionDataPlane } from '../../local/data-plane.ts';
import { createTrafficSwitch } from '../../shared/aws/traffic-switch.ts';
import { loadConfig } from '../../shared/config/index.ts';
import { type ChaosStack, startChaosStack } from './support/chaos-stack.ts';

const STACK = 'failover-controller-local';
/** One alarm period of CloudWatch time, in real ms, and a margin for evaluation and the DNS read. */
const PERIOD_MS = 1_000;
const settle = () => new Promise((resolve) => setTimeout(resolve, 2.5 * PERIOD_MS));

describe('chaos: failover through the data plane with the Route 53 API down', () => {
  let stack: ChaosStack;
  let resolver: Resolver;
  const clients: { destroy(): void }[] = [];
  const answer = async (service: string) => (await resolver.resolveCname(stack.recordName(service)))[0];
  /** Route 53 changes for `dp` since the health checks were attached (the attach is one). */
  let attached = 0;
  const changes = () => stack.changesFor('dp').length - attached;
  const apiDown = () => stack.route53.faults.failNext(1_000_000, 'ServiceUnavailable');

  beforeAll(async () => {
    stack = await startChaosStack(
      [
        { name: 'dp', dataPlane: 'fallback', dataPlaneDeadlineSeconds: 1 },
        { name: 'both', dataPlane: 'fallback', dataPlaneDeadlineSeconds: 1 },
      ],
      { cloudwatch: { timeScale: 60 } },
    );
    resolver = new Resolver({ timeout: 1_000, tries: 1 });
    resolver.setServers([`127.0.0.1:${stack.route53.dnsPort}`]);
    const route53 = new Route53Client({ region: 'us-east-1' });
    const cloudwatch = new CloudWatchClient({ region: stack.cloudwatch?.region ?? 'us-east-1' });
    clients.push(route53, cloudwatch);
    // Provision as the deploy would, then attach the health checks once, as an operator would.
    const config = loadConfig({ env: process.env });
    const scope = { stack: STACK, stage: 'local', region: stack.cloudwatch?.region ?? 'us-east-1' };
    await provisionDataPlane({ cloudwatch, route53 }, config, { ...scope, namespace: 'FailoverController' });
    const traffic = createTrafficSwitch({ client: route53 });
    for (const service of config.services) {
      await applyAttach(route53, await planAttach({ route53, traffic }, service, scope));
    }
    attached = stack.changesFor('dp').length;
    // Healthy rounds publish the decision (primary allowed) until the checks have a status.
    await stack.runWatchdog(2);
    await settle();
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.destroy();
    await stack?.close();
  });

  it('answers the primary while the decision allows only it; attach made one change per service', async () => {
    expect(attached).toBe(1);
    expect(await answer('dp')).toBe('primary.dp.example.net');
  });

  it('moves the DNS answer to the standby with one decision and one audit event, no Route 53 change', async () => {
    // Prepare
    apiDown();
    stack.backends('dp').primary.set('fail');

    // Act
    const report = await stack.runWatchdog(3, { only: ['dp'] });
    // The schedule's next run: the flip lands at the end of its deadline, often in the same alarm
    // period as the last round that still allowed the primary; the primary turns unhealthy only at
    // the end of a whole period of 0, which needs a watchdog publishing, as the schedule does on AWS.
    await stack.runWatchdog(2, { only: ['dp'] });
    await settle();

    // Assess
    expect(report.invoked).toEqual([{ fn: 'failover', service: 'dp', epoch: 0 }]);
    expect(await answer('dp')).toBe('secondary.dp.example.net');
    const state = await stack.state('dp');
    expect(state).toMatchObject({ active: 'secondary', epoch: 1, moving: null });
    expect(state.weightsPending).toBeDefined();
    const flips = (await stack.history('dp')).filter((e) => e.kind === 'failover');
    expect(flips).toHaveLength(1);
    expect(flips[0]?.details).toMatchObject({ mechanism: 'data-plane' });
    expect(changes()).toBe(0);
    expect(stack.hookEvents('dp')).toContain('failover');
  }, 30_000);

  it('moves nothing while the watchdog is dead: the checks keep their last status', async () => {
    // No watchdog run for several alarm periods: the alarms see no data (INSUFFICIENT_DATA). With
    // `breaching` both targets would turn unhealthy and Route 53 would answer by weight: the primary.
    await new Promise((resolve) => setTimeout(resolve, 4 * PERIOD_MS));

    expect(await answer('dp')).toBe('secondary.dp.example.net');
  });

  it('stays fail-static with both targets down: no decision, the answer stays', async () => {
    stack.backends('both').primary.set('fail');
    stack.backends('both').secondary.set('fail');

    const report = await stack.runWatchdog(3, { only: ['both'] });
    await settle();

    expect(report.invoked).toEqual([]);
    expect(await answer('both')).toBe('primary.both.example.net');
    expect(await stack.state('both')).toMatchObject({ active: 'primary', epoch: 0 });
  }, 30_000);

  it('brings the weights in line once the API answers again, once, then clears the mark', async () => {
    // Prepare
    stack.route53.faults.reset();

    // Act
    const first = await stack.runWatchdog(1, { only: ['dp'] });
    const second = await stack.runWatchdog(1, { only: ['dp'] });

    // Assess
    expect(first.reconciled).toEqual([{ service: 'dp', kind: 'weights-reconciled' }]);
    expect(second.reconciled).toEqual([]);
    expect(changes()).toBe(1);
    const state = await stack.state('dp');
    expect(state).toMatchObject({ active: 'secondary', epoch: 1 });
    expect(state.weightsPending).toBeUndefined();
    await settle();
    expect(await answer('dp')).toBe('secondary.dp.example.net');
  }, 30_000);
});
