/**
 * The validated, normalized shape of `failover.config.yml` as the rest of the code sees it.
 * Pure data: `shared/config` produces it (zod schema + loader), everyone else only reads it.
 */

/** A policy governs when a service fails over and back. `defaults` merge into each service. */
export interface Policy {
  /** Seconds between probe rounds inside one scheduled watchdog run (1..60). */
  readonly probeIntervalSeconds: number;
  /** Consecutive failed rounds before a target is DOWN (1..10). */
  readonly failureThreshold: number;
  /** Consecutive healthy rounds before a DOWN target is UP again (1..20). */
  readonly recoveryThreshold: number;
  /** No automatic flip back within this many seconds of the last flip. */
  readonly minDwellSeconds: number;
  /** `auto`: fail back by itself; `manual`: only announce that failback is ready. */
  readonly failback: FailbackMode;
  /** Past this many automatic failbacks in a rolling hour, automatic failback freezes. */
  readonly maxAutoFailbacksPerHour: number;
  /**
   * Gradual failback (issue #13): the percents of the active weight the returning target gets, one
   * step after the other, ascending and ending in 100. Absent or `[100]`: all traffic at once.
   */
  readonly failbackSteps?: readonly number[];
  /**
   * How long the returning target must stay healthy at each step before the next one; the hold
   * used is at least the records' TTL (clients must really have moved). Absent: 60.
   */
  readonly stepHoldSeconds?: number;
  /** A CloudWatch alarm (e.g. the primary's error rate) that must be OK for a step to advance. */
  readonly stepAlarm?: string | null;
  /**
   * `mode: active-active` (issue #13 item 3): every target carries its configured share of the traffic,
   * a DOWN one is drained. Absent: active-passive (one target carries all of `activeWeight`).
   */
  readonly activeActive?: ActiveActive;
}

/**
 * An active-active service's topology: each target's configured weight (1..255, summing to at most
 * 255, so a lone survivor can carry the whole total) and how many UP targets a drain must leave.
 */
export interface ActiveActive {
  readonly weights: Readonly<Record<TargetId, number>>;
  /** A drain that would leave fewer UP targets than this is refused (alert `drain-refused`). */
  readonly minHealthyTargets: number;
}

export type FailbackMode = 'auto' | 'manual';
export type RecordType = 'A' | 'AAAA' | 'CNAME';
export type MetricsLevel = 'basic' | 'detailed';

/**
 * How a decided flip reaches Route 53 (issue #12): `off` — the compare-and-swap of the weights only
 * (control plane); `fallback` — the compare-and-swap first, the data-plane signal (the `TrafficAllowed`
 * metric behind each record's health check) when the API has failed for `deadlineSeconds`;
 * `only` — the signal only, never a weight change.
 */
export type DataPlaneMode = 'off' | 'fallback' | 'only';

export interface DataPlaneSettings {
  readonly mode: DataPlaneMode;
  /** `fallback`: how long the Route 53 API may fail before the flip lands through the signal. */
  readonly deadlineSeconds: number;
}

/** An inclusive range of HTTP status codes; `200` is `{min: 200, max: 200}`, `2xx` is `{min: 200, max: 299}`. */
export interface StatusRange {
  readonly min: number;
  readonly max: number;
}

export type JsonScalar = string | number | boolean | null;

export interface HttpCheck {
  readonly kind: 'http';
  readonly url: string;
  readonly method: 'GET' | 'HEAD';
  /** Values written out, or `${ssm:/path}` (a token the prober reads from SSM, cached per cold start). */
  readonly headers: Readonly<Record<string, SecretValue>>;
  /** Default: 200..299 (a redirect counts only where a check lists it). */
  readonly expectStatus: readonly StatusRange[];
  readonly bodyContains?: string;
  /** A JavaScript regular expression source, run in linear time (see body-pattern.ts), validated at load. */
  readonly bodyMatches?: string;
  /** A dotted path into a JSON body, e.g. `status` or `checks.db.ok` or `items[0].state`. */
  readonly jsonPath?: string;
  /** With `jsonPath`: the value the field must equal (strict equality on scalars). */
  readonly equals?: JsonScalar;
  readonly maxLatencyMs?: number;
  /** Covers connect, TLS, headers and body. Default 3000. */
  readonly timeoutMs: number;
  readonly insecureSkipVerify: boolean;
  /** Fail when the server certificate expires in fewer days than this. */
  readonly certMinDaysValid?: number;
}

export interface TcpCheck {
  readonly kind: 'tcp';
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
}

export interface CloudWatchAlarmCheck {
  readonly kind: 'cloudwatch-alarm';
  readonly alarmName: string;
  readonly timeoutMs: number;
}

export type Check = HttpCheck | TcpCheck | CloudWatchAlarmCheck;

/**
 * A target's id: `primary` and `secondary` for a service written with those keys, else the `id` of
 * each entry of its `targets:` list. Targets are kept in preference order: the first is where
 * traffic belongs, each next one is where it goes when all before it are down.
 */
export type TargetId = string;

export interface TargetConfig {
  readonly id: TargetId;
  readonly setIdentifier: string;
  readonly checks: readonly Check[];
  /** Active-active only: the target's configured share (1..255); see `Policy.activeActive`. */
  readonly weight?: number;
}

/**
 * The ids of a service's targets, most preferred first.
 *
 * @example
 * targetOrder(service); // ['primary', 'secondary']
 */
export function targetOrder(service: Pick<ServiceConfig, 'targets'>): readonly TargetId[] {
  return service.targets.map((target) => target.id);
}

/** The config of one target of a service; throws for an id the service does not have (a bug). */
export function targetOf(service: Pick<ServiceConfig, 'name' | 'targets'>, id: TargetId): TargetConfig {
  const found = service.targets.find((target) => target.id === id);
  if (found === undefined) throw new Error(`Service "${service.name}" has no target "${id}"`);
  return found;
}

export interface ServiceConfig {
  readonly name: string;
  readonly hostedZoneId: string;
  /** Normalized: lowercase, with a trailing dot. */
  readonly recordName: string;
  readonly recordType: RecordType;
  /** The weight of the active record (1..255, default 100); every passive record gets 0. */
  readonly activeWeight: number;
  /** At least two, in preference order (`primary:`/`secondary:` in the file are the first two). */
  readonly targets: readonly TargetConfig[];
  /** Names of notifier groups (keys of `notifiers`). */
  readonly notify: readonly string[];
  readonly policy: Policy;
  /** `detailed` adds per-endpoint probe latency metrics (each custom metric costs money). */
  readonly metrics: MetricsLevel;
  /** The data-plane failover path (issue #12); `off` unless the service or `defaults` sets it. */
  readonly dataPlane: DataPlaneSettings;
}

/**
 * A secret or setting kept in SSM Parameter Store. `${ssm:/path}` in the config becomes this
 * reference; the Lambda runtime resolves it (cached per cold start), the loader never does.
 */
export interface SsmRef {
  readonly kind: 'ssm';
  readonly path: string;
}

/** A string that may still have to be fetched from SSM. */
export type SecretValue = string | SsmRef;

export type NotifierConfig =
  | { readonly kind: 'sns'; readonly topicArn: string }
  | { readonly kind: 'slack'; readonly webhookUrl: SecretValue }
  | { readonly kind: 'pagerduty'; readonly routingKey: SecretValue }
  | { readonly kind: 'webhook'; readonly url: SecretValue; readonly secret?: SecretValue };

/**
 * Several vantage points (issue #11): the watchdog runs in each of `regions`, each vantage keeps its
 * own hysteresis per target and records its verdict every round, and a target counts as DOWN (or UP
 * again) only when `quorum` fresh vantages agree. See `shared/domain/quorum.ts`.
 */
export interface VantagesConfig {
  /** The vantages' names: the AWS regions the watchdog is deployed to (2..5, distinct). */
  readonly regions: readonly string[];
  /** How many fresh vantages must agree; always a majority of `regions` (default: the smallest one). */
  readonly quorum: number;
  /**
   * A URL every sighted vantage can reach (outside both targets' networks). A vantage that reaches
   * neither target nor the canary is blind: it abstains and alerts. Without one a vantage is never
   * called blind (it cannot tell its own network from a total outage) and its vote counts.
   */
  readonly canary: HttpCheck | null;
}

export interface ControllerConfig {
  /** The file it was loaded from (absolute path), for messages. */
  readonly file: string;
  /** Absent: one watchdog decides alone, as before vantages existed. */
  readonly vantages?: VantagesConfig;
  readonly services: readonly ServiceConfig[];
  readonly notifiers: Readonly<Record<string, readonly NotifierConfig[]>>;
}
