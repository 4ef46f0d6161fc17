/**
 * The demo's web view server on its own, over real HTTP, with the local Route 53's DNS responder
 * answering for the record: what `/state.json` says before and after readings of the live view,
 * and what the server serves and refuses. (The page in a browser: test/e2e/demo-web.test.ts.)
 */
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startWebView, type WebSnapshot, type WebView } from '../../../local/demo/web-view.ts';
import { type LocalRoute53, startLocalRoute53 } from '../../../local/route53/index.ts';
import { parseConfig } from '../../../shared/config/index.ts';
import type { ServiceConfig } from '../../../shared/domain/config.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import type { ServiceState } from '../../../shared/domain/state.ts';
import { aService } from '../../unit/config/sample-config.ts';

const AT = Date.parse('2026-01-05T12:00:00Z');

describe('the demo web view server', () => {
  let r53: LocalRoute53;
  let client: Route53Client;
  let web: WebView;
  let service: ServiceConfig;

  const state = async (): Promise<WebSnapshot> => {
    const response = await fetch(new URL('state.json', web.url));
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    return (await response.json()) as WebSnapshot;
  };

  beforeAll(async () => {
    r53 = await startLocalRoute53();
    client = new Route53Client({ endpoint: r53.endpoint, maxAttempts: 1 });
    const zone = await client.send(
      new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'web' }),
    );
    const zoneId = zone.HostedZone?.Id ?? '';
    const record = (setIdentifier: string, value: string, weight: number) => ({
      Action: 'CREATE' as const,
      ResourceRecordSet: {
        Name: 'orders.example.com',
        Type: 'CNAME' as const,
        SetIdentifier: setIdentifier,
        Weight: weight,
        TTL: 60,
        ResourceRecords: [{ Value: value }],
      },
    });
    await client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [
            record('primary', 'primary.orders.example.net', 100),
            record('secondary', 'standby.orders.example.net', 0),
          ],
        },
      }),
    );
    const config = parseConfig(
      stringify({ services: [aService('orders', { hostedZoneId: zoneId.replace('/hostedzone/', '') })] }),
      '/tmp/web-view.config.yml',
    );
    const first = config.services[0];
    if (first === undefined) throw new Error('the sample configuration has a service');
    service = first;
    web = await startWebView({ services: config.services, dnsPort: r53.dnsPort, now: () => AT + 42_000 });
  });

  afterAll(async () => {
    await web?.close();
    client?.destroy();
    await r53?.close();
  });

  it('says it is waiting before the first reading, with the DNS answer already', async () => {
    const snapshot = await state();

    expect(snapshot.readAt).toBeNull();
    expect(snapshot.events).toEqual([]);
    expect(snapshot.services).toEqual([
      expect.objectContaining({
        name: 'orders',
        record: 'orders.example.com CNAME',
        phase: null,
        targets: [
          expect.objectContaining({ target: 'primary', status: 'unknown' }),
          expect.objectContaining({ target: 'secondary', status: 'unknown' }),
        ],
        dns: {
          query: `dig @127.0.0.1 -p ${r53.dnsPort} orders.example.com CNAME +short`,
          answer: ['primary.orders.example.net'],
        },
      }),
    ]);
  });

  it('shows the latest reading: phase, health with evidence, the flip, flags and the events newest first', async () => {
    const base = initialState('orders', 'primary');
    const failedOver: ServiceState = {
      ...base,
      active: 'secondary',
      epoch: 1,
      lastFlipAt: AT,
      targets: {
        primary: {
          status: 'down',
          okStreak: 1,
          failStreak: 0,
          since: AT,
          last: [{ check: 'http GET', ok: false, latencyMs: 3, reason: 'status 503 not in [200-399]' }],
        },
        secondary: { status: 'up', okStreak: 9, failStreak: 0, since: AT, last: [] },
      },
      hold: { kind: 'planned-failover', by: 'dora', reason: 'drill', at: AT },
    };

    web.record({ at: AT, states: new Map([['orders', base]]), events: ['12:00:00  orders: first'] });
    web.record({
      at: AT + 1000,
      states: new Map([['orders', failedOver]]),
      events: ['12:00:01  orders: second', '12:00:01  orders: third'],
    });
    const snapshot = await state();

    expect(snapshot.readAt).toBe(new Date(AT + 1000).toISOString());
    expect(snapshot.events).toEqual([
      '12:00:01  orders: third',
      '12:00:01  orders: second',
      '12:00:00  orders: first',
    ]);
    expect(snapshot.services[0]).toMatchObject({
      phase: 'secondary-active',
      epoch: 1,
      active: 'secondary',
      flags: ['HOLD'],
      targets: [
        {
          target: 'primary',
          status: 'down',
          streak: `ok 1/${service.policy.recoveryThreshold}`,
          reason: 'status 503 not in [200-399]',
        },
        { target: 'secondary', status: 'up', streak: '', reason: '' },
      ],
    });
    expect(snapshot.services[0]?.flip).toMatch(/^failover \d\d:\d\d:\d\d \(42 s ago\)$/);
  });

  it('reports a failed read of the state table and keeps the last states', async () => {
    web.record({
      at: AT + 2000,
      states: new Map([['orders', initialState('orders', 'primary')]]),
      events: [],
      error: 'connect ECONNREFUSED',
    });

    const snapshot = await state();

    expect(snapshot.error).toBe('connect ECONNREFUSED');
    expect(snapshot.services[0]?.phase).toBe('primary-active');
  });

  it('serves the page and its script and style under a strict content security policy', async () => {
    const [page, script, style, missing] = await Promise.all(
      ['', 'app.js', 'app.css', 'nothing'].map((path) => fetch(new URL(path, web.url))),
    );

    expect([page?.status, script?.status, style?.status, missing?.status]).toEqual([200, 200, 200, 404]);
    expect(await page?.text()).toContain('<script src="/app.js" defer></script>');
    expect(script?.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(page?.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page?.headers.get('content-security-policy')).not.toContain('unsafe-inline');
  });

  it('shows every target of a service with more than two, most preferred first, and where traffic is', async () => {
    const [tri] = parseConfig(
      stringify({
        services: [
          aService('tri', {
            primary: undefined,
            secondary: undefined,
            targets: ['blue', 'green', 'dr'].map((id) => ({
              id,
              setIdentifier: `${id}-set`,
              checks: [{ http: { url: `https://${id}.example.com/health` } }],
            })),
          }),
        ],
      }),
      '/tmp/web-view-tri.config.yml',
    ).services;
    if (tri === undefined) throw new Error('the configuration has a service');
    const down = { status: 'down', okStreak: 0, failStreak: 3, since: AT, last: [] } as const;
    const onDr: ServiceState = {
      ...initialState('tri', 'blue'),
      active: 'dr',
      epoch: 1,
      lastFlipAt: AT,
      targets: {
        blue: down,
        green: down,
        dr: { status: 'up', okStreak: 4, failStreak: 0, since: AT, last: [] },
      },
    };
    const view = await startWebView({ services: [tri], dnsPort: r53.dnsPort, now: () => AT + 42_000 });
    try {
      view.record({ at: AT, states: new Map([['tri', onDr]]), events: [] });

      const [shown] = (await view.snapshot()).services;

      expect(shown).toMatchObject({ phase: 'dr-active', active: 'dr', epoch: 1 });
      expect(shown?.targets.map((t) => [t.target, t.setIdentifier, t.status])).toEqual([
        ['blue', 'blue-set', 'down'],
        ['green', 'green-set', 'down'],
        ['dr', 'dr-set', 'up'],
      ]);
      expect(shown?.flip).toMatch(/^failover \d\d:\d\d:\d\d \(42 s ago\)$/);
    } finally {
      await view.close();
    }
  });

  it('keeps only the last events it was asked to keep', async () => {
    const small = await startWebView({ services: [service], dnsPort: r53.dnsPort, maxEvents: 2 });
    try {
      small.record({ at: AT, states: new Map(), events: ['a', 'b', 'c'] });

      expect((await small.snapshot()).events).toEqual(['c', 'b']);
    } finally {
      await small.close();
    }
  });
});
