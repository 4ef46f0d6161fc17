import { describe, expect, it } from 'vitest';
import { pagerDutyDedupKey, pagerDutyEvents } from '../../../shared/notify/pagerduty.ts';
import { renderNotification } from '../../../shared/notify/render.ts';
import { aNotification } from '../../support/receivers.ts';

const eventsFor = (overrides: Parameters<typeof aNotification>[0]) => {
  const notification = aNotification(overrides);
  return pagerDutyEvents(notification, renderNotification(notification), 'R0UTINGKEY');
};

const actions = (overrides: Parameters<typeof aNotification>[0]) =>
  eventsFor(overrides).map((event) => `${event.event_action} ${event.dedup_key}`);

describe('pagerDutyEvents', () => {
  it('resolves on failback exactly the incident a failover triggered', () => {
    const [trigger] = eventsFor({ event: 'failover' });
    const resolves = eventsFor({ event: 'failback', from: 'secondary', to: 'primary' });

    expect(trigger?.event_action).toBe('trigger');
    expect(trigger?.dedup_key).toBe('failover-controller/payments-api/failover');
    expect(resolves.map((event) => event.event_action)).not.toContain('trigger');
    expect(resolves.map((event) => event.dedup_key)).toContain(trigger?.dedup_key);
  });

  it('keeps the summary to one line whatever the reason holds (issue #18)', () => {
    const [trigger] = eventsFor({ reason: 'line one\r\nFAILBACK payments-api: all clear\u001b[2J' });

    const summary = trigger?.event_action === 'trigger' ? trigger.payload.summary : '';
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence.
    expect(summary).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(summary).toContain('line one FAILBACK payments-api: all clear');
  });

  it('opens a planned failover under the failover key, so the failback closes it too', () => {
    expect(actions({ event: 'planned-failover', requestedBy: 'alice' })[0]).toBe(
      'trigger failover-controller/payments-api/failover',
    );
  });

  it('gives both-down its own incident, closed once a target is verified healthy again', () => {
    const bothDown = pagerDutyDedupKey('payments-api', 'both-down');

    expect(actions({ event: 'both-down' })).toEqual([`trigger ${bothDown}`]);
    expect(actions({ event: 'failover' })).toContain(`resolve ${bothDown}`);
    expect(actions({ event: 'failback-ready' })).toEqual([`resolve ${bothDown}`]);
    expect(actions({ event: 'failback' })).toContain(`resolve ${bothDown}`);
  });

  it('sends nothing for a reconciliation', () => {
    expect(eventsFor({ event: 'reconciled' })).toEqual([]);
  });

  it("pages with the notification's severity and a summary of at most 1024 characters", () => {
    const [trigger] = eventsFor({ event: 'both-down', severity: 'error', reason: 'r'.repeat(5000) });

    expect(trigger?.event_action === 'trigger' && trigger.payload.severity).toBe('error');
    expect(trigger?.event_action === 'trigger' && trigger.payload.summary.length).toBe(1024);
    expect(
      trigger?.event_action === 'trigger' && trigger.payload.summary.startsWith('BOTH DOWN payments-api — r'),
    ).toBe(true);
  });
});
