import { describe, expect, it } from 'vitest';
import { pagerDutyEvents } from '../../../shared/notify/pagerduty.ts';
import { renderNotification } from '../../../shared/notify/render.ts';
import { slackMessage } from '../../../shared/notify/slack.ts';
import { snsPublishInput } from '../../../shared/notify/sns.ts';
import { webhookBody } from '../../../shared/notify/webhook.ts';
import { dashboardName, dashboardUrl } from '../../../shared/telemetry/dashboard-link.ts';
import { aNotification } from '../../support/receivers.ts';

const URL = dashboardUrl('eu-west-1', dashboardName('prod'));
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:failover';

describe('dashboardUrl', () => {
  it('points at the stage dashboard in the CloudWatch console of the region', () => {
    expect(URL).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/failover-controller-prod',
    );
  });
});

describe('the dashboard link in notifications', () => {
  it('ends the SNS text facts with the dashboard, before the evidence', () => {
    const notification = aNotification({ dashboardUrl: URL });

    const lines = snsPublishInput(notification, renderNotification(notification), TOPIC).Message?.split('\n');

    const at = lines?.indexOf(`Dashboard: ${URL}`) ?? -1;
    expect(at).toBeGreaterThan(0);
    expect(lines?.[at - 1]).toMatch(/^Reported: /);
    expect(lines?.[at + 1]).toBe('Evidence (last probe results):');
  });

  it('gives Slack a link block and the URL in the fallback text', () => {
    const notification = aNotification({ dashboardUrl: URL });

    const message = slackMessage(notification, renderNotification(notification));

    expect(message.blocks).toContainEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: `*Dashboard:* <${URL}|CloudWatch dashboard>` },
    });
    expect(message.text).toContain(`Dashboard: ${URL}`);
  });

  it('keeps a Slack link whole when the URL holds characters that end one', () => {
    const odd = 'https://example.com/d?a=1&b=2|x>y';
    const notification = aNotification({ dashboardUrl: odd });

    const texts = slackMessage(notification, renderNotification(notification)).blocks.flatMap((b) =>
      'text' in b ? [b.text.text] : [],
    );

    expect(texts).toContain('*Dashboard:* <https://example.com/d?a=1&amp;b=2%7Cx%3Ey|CloudWatch dashboard>');
  });

  it('puts dashboardUrl in the webhook body, null when there is none', () => {
    expect(webhookBody(aNotification({ dashboardUrl: URL })).dashboardUrl).toBe(URL);
    expect(webhookBody(aNotification()).dashboardUrl).toBeNull();
    expect(Object.keys(webhookBody(aNotification())).at(-1)).toBe('dashboardUrl');
  });

  it('attaches the dashboard to the PagerDuty trigger as a link and in its details', () => {
    const notification = aNotification({ dashboardUrl: URL });

    const [trigger, ...resolves] = pagerDutyEvents(notification, renderNotification(notification), 'key');

    expect(trigger).toMatchObject({
      event_action: 'trigger',
      links: [{ href: URL, text: 'CloudWatch dashboard' }],
      payload: { custom_details: { dashboard: URL } },
    });
    for (const resolve of resolves) expect(resolve).not.toHaveProperty('links');
  });

  it('shows no dashboard anywhere when the notification has none', () => {
    const notification = aNotification();
    const rendered = renderNotification(notification);

    const [trigger] = pagerDutyEvents(notification, rendered, 'key');

    expect(rendered.text).not.toContain('Dashboard');
    expect(JSON.stringify(slackMessage(notification, rendered))).not.toContain('Dashboard');
    expect(trigger).not.toHaveProperty('links');
  });
});
