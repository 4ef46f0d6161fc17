/**
 * Chaos matrix, notifiers: every channel (Slack, PagerDuty, webhook, SNS) answering 500, or never
 * answering. The flip happens, is recorded BEFORE anyone is told, and its timing does not grow by
 * the hang: telling people is bounded (8 s in all) and comes after the change and the state write.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flipHandler } from '../../functions/flip-handler.ts';
import type { FlipResponse } from '../../shared/controller/flip.ts';
import { type Runtime, runtime } from '../../shared/controller/runtime.ts';
import type { Notifier } from '../../shared/domain/ports.ts';
import { phaseOf } from '../../shared/domain/state.ts';
import { createNotifier } from '../../shared/notify/index.ts';
import { type Receiver, startReceiver } from '../support/receivers.ts';
import { type ChaosStack, startChaosStack } from './support/chaos-stack.ts';
import { expectSettled, PAIR } from './support/settled.ts';

const channels = (group: string, url: string) => [
  `  ${group}:`,
  `    - slack: { webhookUrl: "${url}/slack" }`,
  '    - pagerduty: { routingKey: chaos-routing-key }',
  `    - webhook: { url: "${url}/webhook", secret: chaos-secret }`,
  `    - sns: { topicArn: "arn:aws:sns:us-east-1:123456789012:${group}" }`,
];

describe('chaos: notifier faults', () => {
  let stack: ChaosStack;
  let down: Receiver;
  let hang: Receiver;
  const sns: SNSClient[] = [];
  const results = new Map<string, FlipResponse>();
  let stateWhileTelling: { phase: string; epoch: number; flipStillRunning: boolean } | undefined;

  beforeAll(async () => {
    down = await startReceiver({ status: 500, body: 'internal error' });
    hang = await startReceiver('hang');
    stack = await startChaosStack(
      [
        { name: 'notify-up' },
        { name: 'notify-down', notify: ['all-down'] },
        { name: 'notify-hang', notify: ['all-hang'] },
      ],
      { notifiersYaml: [...channels('all-down', down.url), ...channels('all-hang', hang.url)] },
    );
    // The real notifier, once per set of dead endpoints (PagerDuty's URL and SNS's endpoint are
    // per notifier); groups route each notification to the one that owns them.
    const rt = runtime('failover');
    const notifierFor = (receiver: Receiver): Notifier => {
      const client = new SNSClient({ endpoint: receiver.url, region: 'us-east-1' });
      sns.push(client);
      return createNotifier({
        notifiers: rt.config.notifiers,
        sns: client,
        pagerdutyUrl: `${receiver.url}/pagerduty`,
        log: () => undefined,
      });
    };
    const toDown = notifierFor(down);
    const toHang = notifierFor(hang);
    const notifier: Notifier = {
      notify: (notification, groups) =>
        (groups.includes('all-hang') ? toHang : groups.includes('all-down') ? toDown : rt.notifier).notify(
          notification,
          groups,
        ),
    };
    stack.register('failover', flipHandler('failover', (): Runtime => ({ ...rt, notifier })) as never);

    for (const name of ['notify-up', 'notify-down', 'notify-hang']) stack.backends(name).primary.set('fail');
    const run = stack.runWatchdog(2, { only: ['notify-up', 'notify-down', 'notify-hang'] });
    // While the failover's notifications hang, the flip must already be recorded.
    const deadline = Date.now() + 15_000;
    while (!hang.requests.some((r) => r.path === '/webhook') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const during = await stack.state('notify-hang');
    stateWhileTelling = {
      phase: phaseOf(during, PAIR),
      epoch: during.epoch,
      flipStillRunning: stack.flipRuns('failover', 'notify-hang').length === 0,
    };
    await run;
    for (const name of ['notify-up', 'notify-down', 'notify-hang']) {
      const [flip] = stack.flipRuns('failover', name);
      if (flip?.result) results.set(name, flip.result);
    }
    const timing = (name: string) => {
      const t = results.get(name)?.timings;
      return { changeAcceptedMs: (t?.changeAcceptedAt ?? 0) - (t?.startedAt ?? 0), totalMs: t?.totalMs };
    };
    console.info(
      'chaos flip timings (ms):',
      JSON.stringify({
        up: timing('notify-up'),
        down: timing('notify-down'),
        hang: timing('notify-hang'),
      }),
    );
  }, 60_000);

  afterAll(async () => {
    for (const client of sns) client.destroy();
    await stack?.close();
    await down?.close();
    await hang?.close();
  });

  it('flips and records once when every channel answers 500, and reports each channel failed', async () => {
    const result = results.get('notify-down');

    expect(result?.outcome).toBe('failed-over');
    expect(result?.deliveries?.map((d) => d.ok)).toEqual([false, false, false, false]);
    const paths = new Set(down.requests.map((r) => r.path));
    expect([...paths].sort()).toEqual(['/', '/pagerduty', '/slack', '/webhook']);
    await expectSettled(stack, 'notify-down', { phase: 'secondary-active', epoch: 1, flips: 1, events: [] });
    const audit = (await stack.history('notify-down')).find((e) => e.outcome === 'failed-over');
    expect((audit?.details as { failedChannels?: unknown[] } | undefined)?.failedChannels).toHaveLength(4);
  });

  it('flips and records once when every channel hangs; the state is written before anyone is told', async () => {
    const result = results.get('notify-hang');

    expect(stateWhileTelling).toEqual({ phase: 'secondary-active', epoch: 1, flipStillRunning: true });
    expect(result?.outcome).toBe('failed-over');
    expect(result?.deliveries?.every((d) => !d.ok)).toBe(true);
    // Bounded: the 8 s notifier bound, plus the flip itself and the audit write.
    expect(result?.timings?.totalMs).toBeLessThan(12_000);
    await expectSettled(stack, 'notify-hang', { phase: 'secondary-active', epoch: 1, flips: 1, events: [] });
  });

  it('does not delay the Route 53 change by a dead or hanging channel', () => {
    const accepted = (name: string) => {
      const t = results.get(name)?.timings;
      return (t?.changeAcceptedAt ?? Number.NaN) - (t?.startedAt ?? Number.NaN);
    };
    const baseline = accepted('notify-up');

    expect(results.get('notify-up')?.deliveries?.every((d) => d.ok)).toBe(true);
    expect(baseline).toBeLessThan(2_000);
    expect(accepted('notify-down')).toBeLessThan(baseline + 1_000);
    expect(accepted('notify-hang')).toBeLessThan(baseline + 1_000);
  });
});
