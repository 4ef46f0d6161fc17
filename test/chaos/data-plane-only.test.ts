/**
 * Chaos, issue #12: a service with `dataPlane: only` end to end. The real watchdog, failover and
 * failback handlers, the local Route 53 (its DNS answers weighted records by the health of the
 * CLOUDWATCH_METRIC checks on them) and the local CloudWatch on a 60x clock (a 60 s alarm period per
 * real second). The Route 53 API stays up: every call to it is counted, and the controller makes
 * none — not to flip, not to read, not to reconcile. Traffic moves through the health checks alone.
 */
import { Resolver } from 'node:dns/promises';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyAttach, planAttach } from '../../cli/attach-plan.ts';
import { provisionDataPlane } from '../../local/data-plane.ts';
import { createTrafficSwitch } from '../../shared/aws/traffic-switch.ts';
import { loadConfig } from '../../shared/config/index.ts';
import { type ChaosStack, startChaosStack } from './support/chaos-stack.ts';

const STACK = 'failover-controller-local';
/** One alarm period of CloudWatch time, in real ms; settle: 2.5 periods for evaluation and the DNS read. */
const PERIOD_MS = 1_000;
const settle = () => new Promise((resolve) => setTimeout(resolve, 2.5 * PERIOD_MS));

describe('chaos: dataPlane only, a failover and a failback with no Route 53 call', () => {
  let stack: ChaosStack;
  let resolver: Resolver;
  let route53: Route53Client;
  let cloudwatch: CloudWatchClient;
  /** Route 53 API calls made since the set-up (the attach and the test's own reads excluded). */
  let callsAtStart = 0;
  const calls = () => stack.route53.calls.slice(callsAtStart);
  const answer = async () => (await resolver.resolveCname(stack.recordName('solo')))[0];
  /** The weights as Route 53 holds them, read after counting (this read is the test's, not the controller's). */
  const weights = async () => {
    const before = stack.route53.calls.length;
    const out = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: stack.zoneId }));
    callsAtStart += stack.route53.calls.length - before;
    return Object.fromEntries(
      (out.ResourceRecordSets ?? [])
        .filter((r) => r.Name === stack.recordName('solo'))
        .map((r) => [r.SetIdentifier, r.Weight]),
    );
  };

  beforeAll(async () => {
    stack = await startChaosStack(
      [{ name: 'solo', dataPlane: 'only', failback: 'auto', minDwellSeconds: 0, recoveryThreshold: 2 }],
      { cloudwatch: { timeScale: 60 } },
    );
    resolver = new Resolver({ timeout: 1_000, tries: 1 });
    resolver.setServers([`127.0.0.1:${stack.route53.dnsPort}`]);
    route53 = new Route53Client({ region: 'us-east-1' });
    cloudwatch = new CloudWatchClient({ region: stack.cloudwatch?.region ?? 'us-east-1' });
    const config = loadConfig({ env: process.env });
    const scope = { stack: STACK, stage: 'local', region: stack.cloudwatch?.region ?? 'us-east-1' };
    await provisionDataPlane({ cloudwatch, route53 }, config, { ...scope, namespace: 'FailoverController' });
    const traffic = createTrafficSwitch({ client: route53 });
    for (const service of config.services) {
      await applyAttach(route53, await planAttach({ route53, traffic }, service, scope));
    }
    callsAtStart = stack.route53.calls.length;
    // Healthy rounds publish the decision (primary allowed) until the checks have a status.
    await stack.runWatchdog(2);
    await settle();
  }, 60_000);

  afterAll(async () => {
    route53?.destroy();
    cloudwatch?.destroy();
    await stack?.close();
  });

  it('answers the primary while the decision allows it, with no Route 53 call from the watchdog', async () => {
    expect(await answer()).toBe('primary.solo.example.net');
    expect(calls()).toEqual([]);
  });

  it('fails over through the health checks: one decision, one audit event (data-plane), no Route 53 call', async () => {
    // Prepare
    stack.backends('solo').primary.set('fail');

    // Act
    // Long enough for the decision and then a whole alarm period (1 s here) of 0, even on a busy machine.
    const report = await stack.runWatchdog(6);
    await settle();

    // Assess
    expect(report.invoked).toEqual([{ fn: 'failover', service: 'solo', epoch: 0 }]);
    expect(await answer()).toBe('secondary.solo.example.net');
    expect(calls()).toEqual([]);
    expect(stack.changesFor('solo')).toHaveLength(1); // the attach, nothing since
    const flips = (await stack.history('solo')).filter((e) => e.kind === 'failover');
    expect(flips).toHaveLength(1);
    expect(flips[0]?.details).toMatchObject({ mechanism: 'data-plane' });
    expect(await stack.state('solo')).toMatchObject({ active: 'secondary', epoch: 1, moving: null });
    expect(stack.hookEvents('solo')).toEqual(['failover']);
    expect(await weights()).toEqual({ primary: 100, secondary: 0 });
  }, 30_000);

  it('never reads or changes the weights to reconcile them: weights that disagree are no hand edit', async () => {
    // The weights still say primary while the state says secondary: for any other mode that is
    // either pending weights or a hand edit. Here the weights are not the controller's to keep.
    const history = await stack.history('solo');

    const report = await stack.runWatchdog(2);
    await settle();

    expect(report.reconciled).toEqual([]);
    expect(report.invoked).toEqual([]);
    expect(calls()).toEqual([]);
    const state = await stack.state('solo');
    expect(state).toMatchObject({ active: 'secondary', epoch: 1 });
    expect(state).toMatchObject({ hold: null, paused: false });
    expect(await stack.history('solo')).toEqual(history); // no reconciled, no hand edit
    expect(await weights()).toEqual({ primary: 100, secondary: 0 });
    expect(await answer()).toBe('secondary.solo.example.net');
  }, 30_000);

  it('fails back the same way once the primary has recovered: the answer returns, still no Route 53 call', async () => {
    // Prepare
    stack.backends('solo').primary.set('ok');

    // Act
    const report = await stack.runWatchdog(6);
    await settle();

    // Assess
    expect(report.invoked).toEqual([{ fn: 'failback', service: 'solo', epoch: 1 }]);
    expect(await answer()).toBe('primary.solo.example.net');
    expect(calls()).toEqual([]);
    const backs = (await stack.history('solo')).filter((e) => e.kind === 'failback');
    expect(backs).toHaveLength(1);
    expect(backs[0]?.details).toMatchObject({ mechanism: 'data-plane' });
    expect(await stack.state('solo')).toMatchObject({ active: 'primary', epoch: 2, moving: null });
    expect(stack.changesFor('solo')).toHaveLength(1);
  }, 30_000);
});
