/**
 * The monthly AWS cost of a configuration, next to what Route 53 health checks with the same
 * probing would cost. Pure: prices and assumptions in, line items out (unit-tested by hand).
 * Prices: shared/reference/aws-facts.md (us-east-1 list prices), except log ingestion (noted).
 */
import type { Check, ControllerConfig, ServiceConfig, TargetId } from '../shared/domain/config.ts';
import { checkLabel } from '../shared/probes/check-label.ts';
import { VANTAGE_PRICES, vantageAssumptionLines, vantageCostLines } from './vantage-cost.ts';

export const PRICES = {
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1_000_000,
  dynamoWriteUnit: 0.625 / 1_000_000,
  dynamoReadUnit: 0.125 / 1_000_000,
  customMetricMonth: 0.3,
  alarmMonth: 0.1,
  /** CloudWatch Logs standard ingestion, us-east-1 (not in aws-facts.md). */
  logIngestionGb: 0.5,
  healthCheckAws: 0.5,
  healthCheckOther: 0.75,
  healthCheckOptionAws: 1.0,
  healthCheckOptionOther: 2.0,
  /**
   * CloudWatch API requests (PutMetricData), per request: $0.01 per 1,000 — from the CloudWatch
   * pricing page (https://aws.amazon.com/cloudwatch/pricing/), not in aws-facts.md; check it.
   */
  cloudwatchRequest: 0.01 / 1_000,
} as const;

export interface CostAssumptions {
  readonly hoursPerMonth: number;
  /** serverless.yml `memorySize`. */
  readonly memoryMb: number;
  /** Lambda recycles environments every few hours even when busy; the watchdog runs every minute. */
  readonly coldStartsPerDay: number;
  readonly initSeconds: number;
  readonly flipsPerServicePerMonth: number;
  /** Billed time of one flip invocation: re-check, Route 53 change, INSYNC wait, notifications. */
  readonly flipSeconds: number;
  /** State writes (health changes, decision, claim, record) and audit puts around one flip. */
  readonly writesPerFlip: number;
  readonly readsPerFlip: number;
  /** A state item with its evidence is 1-2 KB: 2 write units per put. */
  readonly writeUnitsPerWrite: number;
  /** The alarms serverless.yml declares. */
  readonly alarms: number;
  /** Log bytes per watchdog run: Lambda's START/END/REPORT, the run summary, EMF documents. */
  readonly logBytesPerRun: {
    readonly base: number;
    readonly perService: number;
    readonly perLatencySeries: number;
  };
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  hoursPerMonth: 730,
  memoryMb: 256,
  coldStartsPerDay: 24,
  initSeconds: 0.4,
  flipsPerServicePerMonth: 2,
  flipSeconds: 10,
  writesPerFlip: 10,
  readsPerFlip: 4,
  writeUnitsPerWrite: 2,
  alarms: 7,
  logBytesPerRun: { base: 1_200, perService: 500, perLatencySeries: 400 },
};

/** The watchdog's Lambda timeout in serverless.yml (test/unit/cli/cost-model.test.ts holds them equal). */
export const WATCHDOG_TIMEOUT_SECONDS = 90;

/** Custom metrics published every run: Heartbeat, RunDuration, Rounds, RoundDuration (per stage). */
export const STAGE_METRICS = 4;
/** ActiveTarget (per service); TargetHealthy adds one series per target (its `Target` dimension). */
export const SERVICE_METRICS = 1;

/** The custom metrics of one service: ActiveTarget, and TargetHealthy once per target. */
export function serviceMetrics(service: Pick<ServiceConfig, 'targets'>): number {
  return SERVICE_METRICS + service.targets.length;
}

export interface CostLine {
  readonly item: string;
  readonly detail: string;
  readonly usd: number;
}

export interface HealthCheckLine {
  readonly service: string;
  readonly target: TargetId;
  readonly check: string;
  readonly options: readonly string[];
  /** Per month, for an endpoint in AWS / outside AWS. */
  readonly awsUsd: number;
  readonly otherUsd: number;
}

export interface CostEstimate {
  readonly controller: readonly CostLine[];
  readonly controllerUsd: number;
  readonly healthChecks: readonly HealthCheckLine[];
  readonly healthChecksUsd: { readonly aws: number; readonly other: number };
  readonly assumptions: readonly string[];
}

/**
 * @example
 * const estimate = estimateMonthlyCost(loadConfig());
 * estimate.controllerUsd; // e.g. 9.05
 */
export function estimateMonthlyCost(
  config: ControllerConfig,
  assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS,
): CostEstimate {
  const a = assumptions;
  const services = config.services;
  const gb = a.memoryMb / 1024;
  const runs = a.hoursPerMonth * 60;
  // Scheduled runs hand over (issue #20): each probes until the next one takes over, the two
  // overlapping by up to one probe interval (the newer waits for the older's last round to be an
  // interval old; the older stops at its next round), within the 90 s timeout.
  const longestInterval = Math.max(1, ...services.map((s) => s.policy.probeIntervalSeconds));
  const shortestInterval = Math.min(60, ...services.map((s) => s.policy.probeIntervalSeconds));
  const runSeconds = Math.min(WATCHDOG_TIMEOUT_SECONDS, 60 + longestInterval);
  // One conditional write claims the run marker per run, one reserves each round.
  const markerWrites = runs * (1 + Math.ceil(60 / shortestInterval));
  const flips = services.length * a.flipsPerServicePerMonth;
  const watchdogColdStarts = a.coldStartsPerDay * (a.hoursPerMonth / 24);
  const coldStarts = watchdogColdStarts + flips;
  const latencySeries = services.reduce(
    (n, s) => n + (s.metrics === 'detailed' ? allChecks(s).length : 0),
    0,
  );
  const serviceSeries = services.reduce((n, s) => n + serviceMetrics(s), 0);
  const metrics = STAGE_METRICS + serviceSeries + latencySeries;
  const reads = runs * services.length + flips * a.readsPerFlip;
  const writeUnits = flips * a.writesPerFlip * a.writeUnitsPerWrite;
  const logBytes =
    runs *
    (a.logBytesPerRun.base +
      a.logBytesPerRun.perService * services.length +
      a.logBytesPerRun.perLatencySeries * latencySeries);
  const logGb = logBytes / 1024 ** 3;

  const gbs = (seconds: number) => seconds * gb;
  const controller: CostLine[] = [
    {
      item: 'Lambda watchdog',
      detail: `${fmt(runs)} runs x ${fmt(runSeconds)} s x ${gb} GB = ${fmt(gbs(runs * runSeconds))} GB-s`,
      usd: gbs(runs * runSeconds) * PRICES.lambdaArmGbSecond,
    },
    {
      item: 'Lambda INIT',
      detail: `${fmt(coldStarts)} cold starts x ${a.initSeconds} s x ${gb} GB`,
      usd: gbs(coldStarts * a.initSeconds) * PRICES.lambdaArmGbSecond,
    },
    {
      item: 'Lambda flips',
      detail: `${fmt(flips)} flips x ${a.flipSeconds} s x ${gb} GB`,
      usd: gbs(flips * a.flipSeconds) * PRICES.lambdaArmGbSecond,
    },
    {
      item: 'Lambda requests',
      detail: `${fmt(runs + flips)} invocations`,
      usd: (runs + flips) * PRICES.lambdaRequest,
    },
    {
      item: 'DynamoDB reads',
      detail: `${fmt(reads)} read units (one consistent read per service per run; none written in a steady state)`,
      usd: reads * PRICES.dynamoReadUnit,
    },
    {
      item: 'DynamoDB run marker',
      detail: `${fmt(markerWrites)} write units (a run claims the marker, then reserves each round: the handover between runs)`,
      usd: markerWrites * PRICES.dynamoWriteUnit,
    },
    {
      item: 'DynamoDB writes',
      detail: `${fmt(writeUnits)} write units (state and audit around ${fmt(flips)} flips)`,
      usd: writeUnits * PRICES.dynamoWriteUnit,
    },
    {
      item: 'CloudWatch metrics',
      detail: `${metrics} custom metrics (${STAGE_METRICS} per stage, ${serviceSeries} for the services: ActiveTarget and one TargetHealthy per target, ${latencySeries} latency)`,
      usd: metrics * PRICES.customMetricMonth,
    },
    {
      item: 'CloudWatch alarms',
      detail: `${a.alarms} standard alarms`,
      usd: a.alarms * PRICES.alarmMonth,
    },
    {
      item: 'CloudWatch Logs',
      detail: `${logGb.toFixed(3)} GB ingested (EMF metrics and run logs)`,
      usd: logGb * PRICES.logIngestionGb,
    },
    {
      item: 'KMS key',
      detail: 'the notifications topic key (customer-managed, so that CloudWatch alarms may publish)',
      usd: VANTAGE_PRICES.kmsKeyMonth,
    },
    ...dataPlaneLines(services, a.hoursPerMonth),
  ];
  const usdOf = (item: string) => controller.find((line) => line.item === item)?.usd ?? 0;
  controller.push(
    ...vantageCostLines(
      config,
      {
        // Each region's watchdog runs, and hands over through its own run marker, as this one's.
        watchdogUsd: usdOf('Lambda watchdog') + usdOf('DynamoDB run marker'),
        // Another region's watchdog cold-starts and runs as this one's; its flip functions stay idle.
        initAndRequestsUsd:
          gbs(watchdogColdStarts * a.initSeconds) * PRICES.lambdaArmGbSecond + runs * PRICES.lambdaRequest,
        metricsUsd: usdOf('CloudWatch metrics'),
        metrics,
        alarmsUsd: usdOf('CloudWatch alarms'),
        alarms: a.alarms,
        logsUsd: usdOf('CloudWatch Logs'),
        logGb,
        // Flip writes happen once; every region writes its own run marker: all replicated.
        writeUnits: writeUnits + markerWrites * (config.vantages?.regions.length ?? 1),
      },
      { runsPerMonth: runs, writeUnitPrice: PRICES.dynamoWriteUnit, readUnitPrice: PRICES.dynamoReadUnit },
    ),
  );

  const healthChecks = services.flatMap((service) =>
    service.targets.flatMap((target) =>
      target.checks.map((check) => healthCheckLine(service, target.id, check)),
    ),
  );
  const tooFast = services.filter((s) => s.policy.probeIntervalSeconds < 10).map((s) => s.name);
  return {
    controller,
    controllerUsd: sum(controller.map((line) => line.usd)),
    healthChecks,
    healthChecksUsd: {
      aws: sum(healthChecks.map((line) => line.awsUsd)),
      other: sum(healthChecks.map((line) => line.otherUsd)),
    },
    assumptions: [
      `${a.hoursPerMonth} hours a month; Lambda on arm64 with ${a.memoryMb} MB; one watchdog run a minute, ` +
        `busy for 60 s plus one probe interval (${fmt(runSeconds)} s: runs overlap by up to an interval as one hands over to the next).`,
      `${a.coldStartsPerDay} watchdog cold starts a day and one per flip, ${a.initSeconds} s INIT each (INIT is billed).`,
      `${a.flipsPerServicePerMonth} flips per service a month, ${a.flipSeconds} s each; ${a.writesPerFlip} writes of ` +
        `${a.writeUnitsPerWrite} units and ${a.readsPerFlip} reads around each flip.`,
      'Flips and FlappingFrozen metrics are published only when they happen: billed by the hour, about $0.',
      `Log ingestion at $${PRICES.logIngestionGb}/GB (CloudWatch Logs standard class; not in aws-facts.md); ` +
        `about ${a.logBytesPerRun.base} + ${a.logBytesPerRun.perService} per service bytes per run.`,
      'Free tiers (Lambda 400,000 GB-s, the first 50 Route 53 AWS-endpoint checks) are shared by the account: not applied.',
      'Not counted, being the same either way: the hosted zone, DNS queries, SNS, Slack, PagerDuty.',
      ...vantageAssumptionLines(config.vantages),
      'Route 53 health checks: one per check of each target; options HTTPS (https URL), string match ' +
        '(bodyContains, bodyMatches, jsonPath), fast 10 s interval (probing under 30 s), latency graphs (metrics: detailed).',
      ...(tooFast.length > 0
        ? [`Route 53 cannot probe faster than every 10 s; ${tooFast.join(', ')} probe faster than that.`]
        : []),
    ],
  };
}

function healthCheckLine(service: ServiceConfig, target: TargetId, check: Check): HealthCheckLine {
  const options = healthCheckOptions(service, check);
  const alarm = check.kind === 'cloudwatch-alarm';
  return {
    service: service.name,
    target,
    check: checkLabel(check),
    options,
    awsUsd: PRICES.healthCheckAws + options.length * PRICES.healthCheckOptionAws,
    // A check of a CloudWatch alarm is priced as an AWS endpoint wherever the API runs.
    otherUsd: alarm
      ? PRICES.healthCheckAws
      : PRICES.healthCheckOther + options.length * PRICES.healthCheckOptionOther,
  };
}

function healthCheckOptions(service: ServiceConfig, check: Check): string[] {
  if (check.kind === 'cloudwatch-alarm') return [];
  const options: string[] = [];
  if (check.kind === 'http' && check.url.startsWith('https:')) options.push('HTTPS');
  if (check.kind === 'http' && (check.bodyContains ?? check.bodyMatches ?? check.jsonPath) !== undefined) {
    options.push('string match');
  }
  if (service.policy.probeIntervalSeconds < 30) options.push('fast interval');
  if (service.metrics === 'detailed') options.push('latency graphs');
  return options;
}

function allChecks(service: ServiceConfig): Check[] {
  return service.targets.flatMap((target) => target.checks);
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function fmt(n: number): string {
  return Number.isInteger(n)
    ? n.toLocaleString('en-US')
    : n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/**
 * Issue #12: per target of each `dataPlane` service a CLOUDWATCH_METRIC health check (billed, we
 * believe, as a basic AWS-endpoint check: docs/reference/route53-health-checks.md, not confirmed;
 * the first 50 free checks are not counted), an alarm and the TrafficAllowed metric; and one
 * PutMetricData request per watchdog round for every data-plane service (1,000 targets a request).
 */
function dataPlaneLines(services: readonly ServiceConfig[], hoursPerMonth: number): CostLine[] {
  const dataPlane = services.filter((s) => s.dataPlane.mode !== 'off');
  if (dataPlane.length === 0) return [];
  const targets = dataPlane.reduce((n, s) => n + s.targets.length, 0);
  const interval = Math.min(...dataPlane.map((s) => s.policy.probeIntervalSeconds));
  const requests = ((hoursPerMonth * 3600) / interval) * Math.ceil(targets / 1_000);
  return [
    {
      item: 'Data-plane health checks',
      detail: `${targets} Route 53 CLOUDWATCH_METRIC health checks (one per target of ${dataPlane.length} dataPlane services)`,
      usd: targets * PRICES.healthCheckAws,
    },
    {
      item: 'Data-plane alarms',
      detail: `${targets} standard alarms on TrafficAllowed`,
      usd: targets * PRICES.alarmMonth,
    },
    {
      item: 'Data-plane metrics',
      detail: `${targets} TrafficAllowed custom metrics`,
      usd: targets * PRICES.customMetricMonth,
    },
    {
      item: 'Data-plane PutMetricData',
      detail: `${fmt(requests)} requests (one per ${interval} s round)`,
      usd: requests * PRICES.cloudwatchRequest,
    },
  ];
}
