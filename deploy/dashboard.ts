/**
 * The stack's CloudWatch dashboard, built from the configuration and the one list of metric names
 * (`shared/telemetry/metric-names.ts`): the watchdog's heartbeat and round durations, every flip
 * with its reason (a Logs Insights table), and per service which target is active, each target's
 * health, flips, detection delay and, for `metrics: detailed` services, each check's latency.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: \${AWS::...} are CloudFormation Fn::Sub placeholders.
import type { ServiceConfig } from '../shared/domain/config.ts';
import { checkLabel } from '../shared/probes/check-label.ts';
import { METRIC, type MetricDefinition } from '../shared/telemetry/metric-names.ts';

/** A widget asks for a metric under dimensions the code never publishes it with (a bug here). */
export class DashboardError extends Error {
  override readonly name = 'DashboardError';
}

/** One `metrics` row of a metric widget: namespace, name, dimension name/value pairs, options. */
export type MetricRow = (string | Readonly<Record<string, unknown>>)[];

export interface Widget {
  readonly type: 'metric' | 'log' | 'text';
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface DashboardBody {
  readonly start: string;
  readonly periodOverride: 'inherit';
  readonly widgets: readonly Widget[];
}

export interface DashboardOptions {
  readonly namespace: string;
  readonly stage: string;
  readonly services: readonly ServiceConfig[];
  /** Filled into every widget; the deploy passes `${AWS::Region}` for CloudFormation to resolve. */
  readonly region: string;
  /** Each function's log group, e.g. `/aws/lambda/${AWS::StackName}-watchdog`. */
  readonly logGroup: (fn: 'watchdog' | 'failover' | 'failback' | 'forced') => string;
}

/** The watchdog's log lines that decide a flip, with its `reason` (see watchdog.ts). */
export const DECISION_LOG_MESSAGES = ['failover decided', 'failback decided'] as const;

const FULL = 24;
const HEIGHT = 6;
const PERIOD = 60;

/**
 * The dashboard as CloudWatch's `DashboardBody` object (`JSON.stringify` it for the template).
 * Primary course:
 *  1. A note saying how to read it
 *  2. The watchdog: heartbeat, round and run durations, flips of the whole stage
 *  3. Flips and their reasons from the watchdog's and flip functions' logs
 *  4. One row per service (and a latency row for `metrics: detailed` services)
 *
 * @example
 * const body = dashboardBody({ namespace: 'FailoverController', stage: 'prod', services, region: 'eu-west-1', logGroup });
 * body.widgets.length; // 5 + 4 per service + 1 per detailed service
 */
export function dashboardBody(options: DashboardOptions): DashboardBody {
  const rows: Widget[][] = [
    [note(options)],
    stageWidgets(options),
    [flipsLogWidget(options)],
    ...options.services.flatMap((service) => serviceRows(options, service)),
  ];
  const widgets: Widget[] = [];
  let y = 0;
  for (const row of rows) {
    let x = 0;
    for (const widget of row) {
      widgets.push({ ...widget, x, y });
      x += widget.width;
    }
    y += Math.max(...row.map((w) => w.height));
  }
  return { start: '-PT3H', periodOverride: 'inherit', widgets };
}

function note(options: DashboardOptions): Widget {
  const markdown = [
    `## failover-controller ${options.stage}`,
    'Active target: 0 = primary, 1 = secondary. Health: share of probe rounds in which every check passed (1 = all). ' +
      'Detection delay: automatic failovers, from the round that marked the primary DOWN to Route 53 accepting the change. ' +
      'No heartbeat for 3 minutes means nothing is watching (alarm `heartbeat-missing`). ' +
      'From a shell: `failoverctl status` and `failoverctl history <service>`.',
  ].join('\n\n');
  return { type: 'text', x: 0, y: 0, width: FULL, height: 3, properties: { markdown } };
}

function stageWidgets(options: DashboardOptions): Widget[] {
  const stage = { Stage: options.stage };
  return [
    metricWidget(
      options,
      8,
      'Watchdog heartbeat (runs per minute)',
      [row(options, METRIC.heartbeat, stage, { stat: 'Sum', label: 'heartbeat' })],
      { yAxis: { left: { min: 0 } } },
    ),
    metricWidget(
      options,
      8,
      'Watchdog round and run durations (ms)',
      [
        row(options, METRIC.roundDuration, stage, { stat: 'p50', label: 'round p50' }),
        row(options, METRIC.roundDuration, stage, { stat: 'Maximum', label: 'round max' }),
        row(options, METRIC.runDuration, stage, { stat: 'Maximum', label: 'run max' }),
        row(options, METRIC.rounds, stage, { stat: 'Sum', label: 'rounds', yAxis: 'right' }),
      ],
      { yAxis: { left: { min: 0 }, right: { min: 0 } } },
    ),
    metricWidget(
      options,
      8,
      'Flips of every service',
      [
        row(options, METRIC.flips, stage, { stat: 'Sum', label: 'flips' }),
        row(options, METRIC.flipFailures, stage, { stat: 'Sum', label: 'flip failures' }),
        row(options, METRIC.flappingFrozen, stage, { stat: 'Sum', label: 'failback frozen (flapping)' }),
      ],
      { yAxis: { left: { min: 0 } } },
    ),
  ];
}

function flipsLogWidget(options: DashboardOptions): Widget {
  const sources = (['watchdog', 'failover', 'failback', 'forced'] as const)
    .map((fn) => `SOURCE '${options.logGroup(fn)}'`)
    .join(' | ');
  const decisions = DECISION_LOG_MESSAGES.map((m) => `'${m}'`).join(', ');
  // Every line of a flip function's attempt carries `direction` (flip recorded, refused, failed with
  // its error as the message, already active, stale); the watchdog's decisions carry the reason.
  const query = [
    sources,
    'fields @timestamp, service, direction, requestedBy, correlationId, epoch, message, detail, reason, changeId',
    `filter message in [${decisions}] or ispresent(direction)`,
    'sort @timestamp desc',
    'limit 100',
  ].join('\n| ');
  return {
    type: 'log',
    x: 0,
    y: 0,
    width: FULL,
    height: HEIGHT,
    properties: {
      title: 'Flips and their reasons (decided by the watchdog, made by the flip functions)',
      query,
      region: options.region,
      view: 'table',
    },
  };
}

function serviceRows(options: DashboardOptions, service: ServiceConfig): Widget[][] {
  const dims = { Stage: options.stage, Service: service.name };
  const flip = (direction: string) => ({ ...dims, Direction: direction });
  const main = [
    metricWidget(
      options,
      6,
      `${service.name}: active target (0 primary, 1 secondary)`,
      [row(options, METRIC.activeTarget, dims, { stat: 'Maximum', label: 'active target' })],
      {
        yAxis: { left: { min: 0, max: Math.max(1, service.targets.length - 1) } },
        annotations: {
          horizontal: service.targets.map((target, position) => ({ value: position, label: target.id })),
        },
      },
    ),
    metricWidget(
      options,
      6,
      `${service.name}: target health (share of healthy rounds)`,
      [
        ...service.targets.map((target) =>
          row(
            options,
            METRIC.targetHealthy,
            { ...dims, Target: target.id },
            { stat: 'Average', label: target.id },
          ),
        ),
      ],
      { yAxis: { left: { min: 0, max: 1 } } },
    ),
    metricWidget(
      options,
      6,
      `${service.name}: flips`,
      [
        row(options, METRIC.flips, flip('failover'), { stat: 'Sum', label: 'failovers' }),
        row(options, METRIC.flips, flip('failback'), { stat: 'Sum', label: 'failbacks' }),
        row(options, METRIC.flipFailures, flip('failover'), { stat: 'Sum', label: 'failed failovers' }),
        row(options, METRIC.flipFailures, flip('failback'), { stat: 'Sum', label: 'failed failbacks' }),
        row(options, METRIC.flappingFrozen, dims, { stat: 'Sum', label: 'failback frozen' }),
      ],
      { yAxis: { left: { min: 0 } } },
    ),
    metricWidget(
      options,
      6,
      `${service.name}: detection delay (ms, automatic failovers)`,
      [
        row(options, METRIC.detectionDelay, flip('failover'), {
          stat: 'Maximum',
          label: 'DOWN to change accepted',
        }),
      ],
      { yAxis: { left: { min: 0 } } },
    ),
  ];
  if (service.metrics !== 'detailed') return [main];
  const latency = service.targets.flatMap((target) =>
    target.checks.map((check) => {
      const label = checkLabel(check);
      return row(
        options,
        METRIC.probeLatency,
        { ...dims, Target: target.id, Check: label },
        { stat: 'Average', label: `${target.id}: ${label}` },
      );
    }),
  );
  return [
    main,
    [
      metricWidget(options, FULL, `${service.name}: probe latency (ms)`, latency, {
        yAxis: { left: { min: 0 } },
      }),
    ],
  ];
}

/** One metric of a widget: its dimensions must be one of the sets the metric is published under. */
function row(
  options: DashboardOptions,
  metric: MetricDefinition,
  dimensions: Readonly<Record<string, string>>,
  rendering: Readonly<Record<string, unknown>>,
): MetricRow {
  const names = Object.keys(dimensions);
  const published = metric.dimensions.some(
    (set) => set.length === names.length && set.every((name, i) => names[i] === name),
  );
  if (!published) {
    throw new DashboardError(
      `dashboard: ${metric.name} is not published under [${names.join(', ')}]; it is under ${metric.dimensions
        .map((set) => `[${set.join(', ')}]`)
        .join(' or ')} (shared/telemetry/metric-names.ts)`,
    );
  }
  return [options.namespace, metric.name, ...Object.entries(dimensions).flat(), rendering];
}

function metricWidget(
  options: DashboardOptions,
  width: number,
  title: string,
  metrics: MetricRow[],
  extra: Readonly<Record<string, unknown>> = {},
): Widget {
  return {
    type: 'metric',
    x: 0,
    y: 0,
    width,
    height: HEIGHT,
    properties: {
      title,
      view: 'timeSeries',
      stacked: false,
      region: options.region,
      period: PERIOD,
      metrics,
      ...extra,
    },
  };
}
