/**
 * End to end, the people side: a failover and a failback on the local stack reach real Slack,
 * PagerDuty and webhook receivers with the expected messages (PagerDuty trigger and resolve on the
 * same dedup key), and a notifier outage changes neither the flip nor when it is recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flipHandler } from '../../functions/flip-handler.ts';
import { watchdogHandler } from '../../functions/watchdog.ts';
import { FLIP_FUNCTIONS } from '../../local/stack.ts';
import { stateStoreFromEnv } from '../../shared/aws/state-store.ts';
import type { FlipResponse } from '../../shared/controller/flip.ts';
import { type Runtime, runtime } from '../../shared/controller/runtime.ts';
import type { StateStore } from '../../shared/domain/ports.ts';
import { createNotifier, verifyWebhookSignature } from '../../shared/notify/index.ts';
import { silentLogger } from '../../shared/telemetry/log.ts';
import { type Receiver, startReceiver } from '../support/receivers.ts';
import { contextFor, type Harness, startHarness, WEBHOOK_SECRET } from './harness.ts';

/** The notifier's total bound in this test: a hanging channel is cut off after it. */
const NOTIFY_BOUND_MS = 4_000;

interface PagerDutyEvent {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  payload?: { summary: string; severity: string };
}

describe('notifications end to end', () => {
  let h: Harness;
  let slack: Receiver;
  let pagerduty: Receiver;
  let hook: Receiver;
  let dead: Receiver;
  let store: StateStore;
  let watchdog: (event: unknown, context: unknown) => Promise<unknown>;

  const run = async (rounds: number) => {
    await watchdog({ time: new Date().toISOString() }, contextFor(rounds));
    await h.stack.lambda.idle();
  };
  const pdEvents = () => pagerduty.requests.map((r) => JSON.parse(r.body) as PagerDutyEvent);
  const slackTexts = () => slack.requests.map((r) => (JSON.parse(r.body) as { text: string }).text);
  const flipResults = (service: string) =>
    h.stack.lambda.invocations
      .map((i) => i.result as FlipResponse | undefined)
      .filter((r): r is FlipResponse => r?.service === service);

  beforeAll(async () => {
    [slack, pagerduty, hook, dead] = await Promise.all([
      startReceiver({ status: 200, body: 'ok' }),
      startReceiver({ status: 202, body: '{"status":"success"}' }),
      startReceiver({ status: 200, body: 'ok' }),
      startReceiver('hang'),
    ]);
    h = await startHarness(
      [
        { name: 'paging', failback: 'auto', notify: ['people'] },
        { name: 'outage', failback: 'manual', notify: ['broken'] },
      ],
      {
        notifiersYaml: [
          '  people:',
          `    - slack: { webhookUrl: "${slack.url}/services/T000/B000/slack-secret-token" }`,
          '    - pagerduty: { routingKey: e2e-routing-key }',
          `    - webhook: { url: "${hook.url}/people", secret: ${WEBHOOK_SECRET} }`,
          '  broken:',
          `    - slack: { webhookUrl: "${dead.url}/services/T000/B000/broken-secret-token" }`,
          `    - webhook: { url: "${dead.url}/hook", secret: ${WEBHOOK_SECRET} }`,
        ],
      },
    );
    store = stateStoreFromEnv();
    // The real handlers, with PagerDuty's Events API pointed at the local receiver.
    const withReceivers = (fn: string): Runtime => {
      const rt = runtime(fn);
      const notifier = createNotifier({
        notifiers: rt.config.notifiers,
        pagerdutyUrl: `${pagerduty.url}/v2/enqueue`,
        totalTimeoutMs: NOTIFY_BOUND_MS,
        log: () => {},
      });
      return { ...rt, notifier, log: silentLogger };
    };
    const runtimes = new Map(['watchdog', 'failover', 'failback'].map((fn) => [fn, withReceivers(fn)]));
    const get = (fn: string) => () => runtimes.get(fn) as Runtime;
    h.stack.lambda.register(FLIP_FUNCTIONS.failover, {
      handler: flipHandler('failover', get('failover')) as never,
    });
    h.stack.lambda.register(FLIP_FUNCTIONS.failback, {
      handler: flipHandler('failback', get('failback')) as never,
    });
    watchdog = watchdogHandler(get('watchdog')) as never;
    await run(2);
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await Promise.all([slack, pagerduty, hook, dead].map((r) => r?.close()));
  });

  it('tells Slack, PagerDuty and the webhook about a failover, then resolves it on failback', async () => {
    h.backends.get('paging')?.primary.setMode({ kind: 'failing' });
    await run(4);
    h.backends.get('paging')?.primary.setMode({ kind: 'healthy' });
    await run(4);

    expect((await store.load('paging'))?.value).toMatchObject({ active: 'primary', moving: null });
    const texts = slackTexts();
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/FAILOVER paging: primary → secondary/);
    expect(texts[0]).toMatch(/status 503/); // the evidence
    expect(texts[1]).toMatch(/FAILBACK paging/);
    expect(
      slack.requests.every((r) => Array.isArray((JSON.parse(r.body) as { blocks: unknown }).blocks)),
    ).toBe(true);

    const triggers = pdEvents().filter((e) => e.event_action === 'trigger');
    expect(triggers).toEqual([
      expect.objectContaining({
        routing_key: 'e2e-routing-key',
        dedup_key: 'failover-controller/paging/failover',
        payload: expect.objectContaining({ severity: 'critical' }),
      }),
    ]);
    const resolves = pdEvents()
      .filter((e) => e.event_action === 'resolve')
      .map((e) => e.dedup_key);
    expect(resolves).toContain('failover-controller/paging/failover');

    const bodies = hook.requests.map(
      (r) => JSON.parse(r.body) as { event: string; epoch: number; changeId: string },
    );
    expect(bodies.map((b) => [b.event, b.epoch])).toEqual([
      ['failover', 1],
      ['failback', 2],
    ]);
    expect(bodies.every((b) => typeof b.changeId === 'string' && b.changeId.length > 0)).toBe(true);
    for (const request of hook.requests) {
      const verdict = verifyWebhookSignature(
        request.body,
        request.headers['x-failover-signature'],
        WEBHOOK_SECRET,
      );
      expect(verdict.valid).toBe(true);
    }
  });

  it('flips and records the state before notifying, so a notifier outage does not delay or fail the flip', async () => {
    h.backends.get('outage')?.primary.setMode({ kind: 'failing' });
    await run(4);

    expect((await store.load('outage'))?.value).toMatchObject({ active: 'secondary', moving: null });
    const [result] = flipResults('outage');
    expect(result?.outcome).toBe('failed-over');
    const recordedAfter =
      (result?.timings?.recordedAt ?? Number.POSITIVE_INFINITY) - (result?.timings?.startedAt ?? 0);
    expect(recordedAfter).toBeLessThan(NOTIFY_BOUND_MS);
    expect(result?.deliveries?.every((d) => !d.ok)).toBe(true);
    expect(dead.requests.length).toBeGreaterThan(0);
    const audit = await store.history('outage', 10);
    const flip = audit.find((e) => e.outcome === 'failed-over');
    expect(flip?.details?.failedChannels).toHaveLength(2);
    expect(JSON.stringify(audit)).not.toContain('broken-secret-token');
  });
});
