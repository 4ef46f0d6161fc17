import { describe, expect, it } from 'vitest';
import type { EventKind } from '../../../shared/domain/events.ts';
import { notificationTitle, renderNotification } from '../../../shared/notify/render.ts';
import { aNotification } from '../../support/receivers.ts';

describe('renderNotification', () => {
  it('says what happened, why, who, epoch, change id, milestones and what to do next', () => {
    const notification = aNotification();

    const { text } = renderNotification(notification);

    expect(text.split('\n')).toEqual([
      'FAILOVER payments-api: primary → secondary',
      'Service: payments-api',
      'Traffic: primary → secondary',
      'Why: primary down for 3 rounds (status 503 not in [200]); secondary up',
      'Requested by: watchdog (automatic)',
      'Epoch: 7',
      'Route 53 change: C0123456789ABCDEF',
      'Detected: 2026-11-26T06:30:00.000Z',
      'Flipped: 2026-11-26T06:30:04.000Z (4 s after detection)',
      'In sync: 2026-11-26T06:30:45.000Z (41 s after the flip)',
      'Reported: 2026-11-26T06:30:46.000Z',
      'Evidence (last probe results):',
      '  primary: FAIL http GET https://primary.example.com/health: status 503 not in [200] (12 ms)',
      '  secondary: ok http GET https://standby.example.com/health: status 200 (8 ms)',
      'Next: Investigate the primary; failback is manual: run `failoverctl failback payments-api` once it is healthy.',
    ]);
  });

  it('names the operator who asked for a planned failover', () => {
    const { text } = renderNotification(aNotification({ event: 'planned-failover', requestedBy: 'alice' }));

    expect(text).toContain('PLANNED FAILOVER payments-api: primary → secondary');
    expect(text).toContain('Requested by: alice (operator)');
    expect(text).not.toContain('watchdog');
  });

  it('leaves out the change id, milestones and evidence it does not have', () => {
    const notification = aNotification({
      event: 'both-down',
      to: undefined,
      changeId: undefined,
      timings: undefined,
      evidence: { primary: [], secondary: [] },
    });

    const { text, facts } = renderNotification(notification);

    expect(facts.map((fact) => fact.key)).toEqual([
      'service',
      'traffic',
      'why',
      'requested_by',
      'epoch',
      'reported',
    ]);
    expect(text).toContain('Traffic: on primary');
    expect(text).toContain('  primary: no probe results');
    expect(text).not.toContain('Route 53 change');
    expect(text).not.toContain('Detected');
  });

  it.each<[EventKind, string]>([
    ['failover', 'FAILOVER payments-api: primary → secondary'],
    ['failback', 'FAILBACK payments-api: primary → secondary'],
    ['failback-ready', 'FAILBACK READY payments-api'],
    ['both-down', 'BOTH DOWN payments-api'],
    ['flapping-frozen', 'FAILBACK FROZEN (flapping) payments-api'],
    ['failover-refused', 'FAILOVER REFUSED payments-api: primary → secondary'],
    ['failover-blocked', 'FAILOVER BLOCKED payments-api: primary → secondary'],
    ['reconciled', 'RECONCILED payments-api: primary → secondary'],
  ])('titles a %s event as "%s"', (event, title) => {
    expect(notificationTitle(aNotification({ event }))).toBe(title);
  });

  it('gives PagerDuty the same facts as the text, keyed, with evidence and next step', () => {
    const rendered = renderNotification(aNotification());

    expect(rendered.details).toMatchObject({
      service: 'payments-api',
      why: 'primary down for 3 rounds (status 503 not in [200]); secondary up',
      requested_by: 'watchdog (automatic)',
      route53_change: 'C0123456789ABCDEF',
      evidence: {
        primary: ['FAIL http GET https://primary.example.com/health: status 503 not in [200] (12 ms)'],
        secondary: ['ok http GET https://standby.example.com/health: status 200 (8 ms)'],
      },
      severity: 'critical',
    });
    expect(rendered.summary).toBe(
      'FAILOVER payments-api: primary → secondary — primary down for 3 rounds (status 503 not in [200]); secondary up',
    );
  });

  it('shows the evidence of every target, by id, in the order given', () => {
    const result = (check: string, ok: boolean) => ({
      check: `tcp ${check}:443`,
      ok,
      latencyMs: 3,
      reason: ok ? 'connected' : 'connection refused',
    });
    const notification = aNotification({
      from: 'eu-west',
      to: 'ap-south',
      evidence: {
        'eu-west': [result('eu.example.com', false)],
        'us-east': [result('us.example.com', false)],
        'ap-south': [result('ap.example.com', true)],
      },
    });

    const { text } = renderNotification(notification);

    expect(text).toContain('FAILOVER payments-api: eu-west → ap-south');
    expect(text.split('\n').filter((line) => line.startsWith('  '))).toEqual([
      '  eu-west: FAIL tcp eu.example.com:443: connection refused (3 ms)',
      '  us-east: FAIL tcp us.example.com:443: connection refused (3 ms)',
      '  ap-south: ok tcp ap.example.com:443: connected (3 ms)',
    ]);
  });
});
