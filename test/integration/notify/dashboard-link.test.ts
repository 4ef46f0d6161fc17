/**
 * Deployed, every function's notifier links the stage's dashboard (`DASHBOARD_URL`): the link
 * reaches Slack, PagerDuty and a webhook receiver over real HTTP.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withDashboardLink } from '../../../shared/controller/runtime.ts';
import { createNotifier } from '../../../shared/notify/notifier.ts';
import { dashboardName, dashboardUrl } from '../../../shared/telemetry/dashboard-link.ts';
import { aNotification, type Receiver, skippingClock, startReceiver } from '../../support/receivers.ts';

const URL = dashboardUrl('us-west-2', dashboardName('prod'));

describe('withDashboardLink', () => {
  let slack: Receiver;
  let pagerduty: Receiver;
  let webhook: Receiver;

  beforeEach(async () => {
    slack = await startReceiver({ status: 200, body: 'ok' });
    pagerduty = await startReceiver({ status: 202, body: '{"status":"success"}' });
    webhook = await startReceiver({ status: 204 });
  });

  afterEach(async () => {
    await Promise.all([slack.close(), pagerduty.close(), webhook.close()]);
  });

  const notifier = (url: string | undefined) =>
    withDashboardLink(
      createNotifier({
        notifiers: {
          oncall: [
            { kind: 'slack', webhookUrl: `${slack.url}/services/T0/B0/X` },
            { kind: 'pagerduty', routingKey: 'R0UT1NGKEY0123456789ABCDEFGHIJKL' },
            { kind: 'webhook', url: `${webhook.url}/hook` },
          ],
        },
        clock: skippingClock(),
        pagerdutyUrl: `${pagerduty.url}/v2/enqueue`,
        log: () => {},
      }),
      url,
    );

  it('sends the dashboard link on every channel', async () => {
    const reports = await notifier(URL).notify(aNotification(), ['oncall']);

    expect(reports.every((report) => report.ok)).toBe(true);
    const slackBody = JSON.parse(slack.requests[0]?.body ?? '{}');
    expect(JSON.stringify(slackBody.blocks)).toContain(`<${URL}|CloudWatch dashboard>`);
    const trigger = pagerduty.requests
      .map((request) => JSON.parse(request.body))
      .find((event) => event.event_action === 'trigger');
    expect(trigger?.links).toEqual([{ href: URL, text: 'CloudWatch dashboard' }]);
    expect(JSON.parse(webhook.requests[0]?.body ?? '{}').dashboardUrl).toBe(URL);
  });

  it('sends notifications unchanged when no dashboard is deployed', async () => {
    await notifier(undefined).notify(aNotification(), ['oncall']);

    expect(slack.requests[0]?.body).not.toContain('Dashboard');
    expect(JSON.parse(webhook.requests[0]?.body ?? '{}').dashboardUrl).toBeNull();
  });
});
