// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${AWS::...} and ${x} are CloudFormation Fn::Sub text.
import { describe, expect, it } from 'vitest';
import { type DashboardBody, dashboardBody, type Widget } from '../../../deploy/dashboard.ts';
import { deploymentValues, substitutable } from '../../../deploy/deployment.ts';
import { parseConfig } from '../../../shared/config/index.ts';
import { ALL_METRICS } from '../../../shared/telemetry/metric-names.ts';

const CONFIG = parseConfig(
  `
services:
  - name: payments-api
    hostedZoneId: Z123
    recordName: api.example.com
    recordType: CNAME
    primary: { setIdentifier: primary, checks: [{ http: { url: "https://p.example.com/health" } }] }
    secondary: { setIdentifier: secondary, checks: [{ http: { url: "https://s.example.com/health" } }] }
  - name: ledger-api
    hostedZoneId: Z123
    recordName: ledger.example.com
    recordType: CNAME
    metrics: detailed
    primary:
      setIdentifier: primary
      checks:
        - http: { url: "https://ledger-p.example.com/health?token=abc" }
        - tcp: { host: ledger-db.internal, port: 5432 }
    secondary: { setIdentifier: secondary, checks: [{ http: { url: "https://ledger-s.example.com/health" } }] }
`,
  'test.yml',
  {},
);

const build = (): DashboardBody =>
  dashboardBody({
    namespace: 'FailoverController',
    stage: 'prod',
    services: CONFIG.services,
    region: 'eu-west-1',
    logGroup: (fn) => `/aws/lambda/failover-controller-prod-${fn}`,
  });

/** Each metric row as `{ namespace, name, dimensions }`. */
function metricRows(widget: Widget) {
  const rows = (widget.properties.metrics ?? []) as unknown[][];
  return rows.map((row) => {
    const [namespace, name, ...rest] = row;
    const pairs = rest.filter((part): part is string => typeof part === 'string');
    const dimensions: Record<string, string> = {};
    for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i] ?? ''] = pairs[i + 1] ?? '';
    return { namespace, name, dimensions };
  });
}

const titled = (body: DashboardBody, prefix: string) =>
  body.widgets.filter((w) => String(w.properties.title ?? '').startsWith(prefix));

describe('dashboardBody', () => {
  it('graphs only metrics the code publishes, under their namespace and dimension sets, for this stage', () => {
    const body = build();

    const rows = body.widgets.flatMap(metricRows);

    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const listed = ALL_METRICS.find((m) => m.name === row.name);
      expect(listed, String(row.name)).toBeDefined();
      expect(row.namespace).toBe('FailoverController');
      expect(listed?.dimensions).toContainEqual(Object.keys(row.dimensions));
      expect(row.dimensions.Stage).toBe('prod');
    }
  });

  it('gives each service its active target, target health, flips and detection delay', () => {
    const body = build();

    for (const service of ['payments-api', 'ledger-api']) {
      const widgets = titled(body, `${service}:`);
      const names = widgets.flatMap(metricRows).map((row) => row.name);
      expect(names).toEqual(
        expect.arrayContaining(['ActiveTarget', 'TargetHealthy', 'Flips', 'DetectionDelay']),
      );
      const health = widgets.flatMap(metricRows).filter((row) => row.name === 'TargetHealthy');
      expect(health.map((row) => row.dimensions.Target)).toEqual(['primary', 'secondary']);
      for (const row of widgets.flatMap(metricRows)) expect(row.dimensions.Service).toBe(service);
    }
  });

  it('graphs the latency of every check of a detailed service by its label, and none of a basic one', () => {
    const body = build();

    const ledger = titled(body, 'ledger-api: probe latency').flatMap(metricRows);

    expect(titled(body, 'payments-api: probe latency')).toEqual([]);
    expect(ledger.map((row) => [row.dimensions.Target, row.dimensions.Check])).toEqual([
      ['primary', 'http GET https://ledger-p.example.com/health?<redacted>'],
      ['primary', 'tcp ledger-db.internal:5432'],
      ['secondary', 'http GET https://ledger-s.example.com/health'],
    ]);
  });

  it("shows the watchdog's heartbeat, round and run durations, and the stage's flips", () => {
    const names = build()
      .widgets.filter(
        (w) =>
          String(w.properties.title).startsWith('Watchdog') ||
          w.properties.title === 'Flips of every service',
      )
      .flatMap(metricRows)
      .map((row) => [row.name, Object.keys(row.dimensions).join(',')]);

    expect(names).toEqual(
      expect.arrayContaining([
        ['Heartbeat', 'Stage'],
        ['RoundDuration', 'Stage'],
        ['RunDuration', 'Stage'],
        ['Flips', 'Stage'],
        ['FlipFailures', 'Stage'],
      ]),
    );
  });

  it('lists flips and their reasons from the watchdog and the three flip functions', () => {
    const [log, ...more] = build().widgets.filter((w) => w.type === 'log');

    expect(more).toEqual([]);
    const query = String(log?.properties.query);
    for (const fn of ['watchdog', 'failover', 'failback', 'forced']) {
      expect(query).toContain(`SOURCE '/aws/lambda/failover-controller-prod-${fn}'`);
    }
    expect(query).toContain(
      "filter message in ['failover decided', 'failback decided'] or ispresent(direction)",
    );
    expect(log?.properties.region).toBe('eu-west-1');
  });

  it('lays the widgets out on the 24-column grid without overlap', () => {
    const widgets = build().widgets;

    for (const w of widgets) expect(w.x + w.width).toBeLessThanOrEqual(24);
    for (const [i, a] of widgets.entries()) {
      for (const b of widgets.slice(i + 1)) {
        const apart =
          a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        expect(apart, `${a.properties.title} overlaps ${b.properties.title}`).toBe(true);
      }
    }
  });
});

describe('deploymentValues: dashboard', () => {
  const env = {
    FAILOVER_CONFIG: 'failover.config.example.yml',
    LEDGER_PRIMARY_HOST: 'ledger-primary.internal',
  };

  it('gives CloudFormation the body as Fn::Sub text whose only placeholders are the region and stack name', () => {
    const text = deploymentValues({ stage: 'prod', env }).dashboardBody['Fn::Sub'];

    const placeholders = new Set(text.match(/\$\{[^}]*\}/g));
    const body = JSON.parse(text) as DashboardBody;

    expect([...placeholders].sort()).toEqual(['${AWS::Region}', '${AWS::StackName}']);
    expect(body.widgets.every((w) => w.type === 'text' || w.properties.region === '${AWS::Region}')).toBe(
      true,
    );
  });

  it('hands every function the dashboard URL and the alarms the metric names', () => {
    const values = deploymentValues({ stage: 'prod', env });

    for (const variables of Object.values(values.environment)) {
      expect(variables.DASHBOARD_URL).toEqual({
        'Fn::Sub':
          'https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards/dashboard/${AWS::StackName}',
      });
    }
    expect(values.metricNames).toMatchObject({
      heartbeat: 'Heartbeat',
      flips: 'Flips',
      flipFailures: 'FlipFailures',
    });
    expect(values.metricsNamespace).toBe('FailoverController');
  });
});

describe('substitutable', () => {
  it('keeps any other ${ literal through Fn::Sub', () => {
    expect(substitutable('${AWS::Region} ${AWS::StackName} ${x} $${AWS::AccountId}')).toBe(
      '${AWS::Region} ${AWS::StackName} ${!x} $${!AWS::AccountId}',
    );
  });
});
