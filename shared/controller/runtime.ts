/**
 * The composition root of the Lambda functions: the configuration and the real adapters, built
 * once per cold start (on first use — nothing, not even the config file, is touched at import).
 * SDK clients honour the standard `AWS_ENDPOINT_URL_<SERVICE>` variables, which is how the local
 * stack and the e2e tests point them at local servers.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createHandoverStore } from '../aws/handover-store.ts';
import { createLambdaInvoker, flipFunctionNamesFromEnv } from '../aws/lambda-invoker.ts';
import { stateStoreFromEnv, stateTableFromEnv } from '../aws/state-store.ts';
import { createTrafficSignal } from '../aws/traffic-signal.ts';
import { createTrafficSwitch } from '../aws/traffic-switch.ts';
import { createVoteStore } from '../aws/vote-store.ts';
import { loadConfig } from '../config/index.ts';
import type { ControllerConfig } from '../domain/config.ts';
import {
  type Clock,
  type HandoverStore,
  type Invoker,
  type Notifier,
  type Prober,
  type StateStore,
  systemClock,
  type TrafficSignal,
  type TrafficSwitch,
  type VoteStore,
} from '../domain/ports.ts';
import { createNotifier } from '../notify/index.ts';
import { createSecretResolver } from '../notify/secrets.ts';
import { createProber } from '../probes/index.ts';
import { DASHBOARD_URL_VARIABLE } from '../telemetry/dashboard-link.ts';
import { createLogger, type Logger } from '../telemetry/log.ts';
import { createEmfMetrics, type Metrics } from '../telemetry/metrics.ts';

export interface Runtime {
  readonly config: ControllerConfig;
  readonly store: StateStore;
  /** The run marker the watchdog's overlapping scheduled runs hand over through (same table). */
  readonly handover: HandoverStore;
  readonly traffic: TrafficSwitch;
  /** The data-plane signal of `dataPlane` services (issue #12): PutMetricData, regional. */
  readonly trafficSignal: TrafficSignal;
  readonly prober: Prober;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly stage: string;
  /** Which vantage this deployment is (`VANTAGE`, else the Lambda's `AWS_REGION`), for `vantages`. */
  readonly vantage: string;
  /** Where the vantages record their votes: the state table. */
  readonly votes: VoteStore;
  /** Only the watchdog invokes the flip functions: built on first use. */
  invoker(): Invoker;
}

/**
 * DynamoDB answers in milliseconds; without these the SDK waits up to its 300 s socket default on a
 * call that never answers, and the run's Lambda time is gone. An attempt that times out is retried
 * by the SDK (DynamoDB: 4 attempts); a conditional write whose answer was lost is recognised by the store.
 */
export const DYNAMODB_TIMEOUTS = {
  connectionTimeout: 1_000,
  requestTimeout: 2_000,
  throwOnRequestTimeout: true,
} as const;

/**
 * Route 53 calls: a connection within 2 s, an answer within 15 s (a slow change call still lands;
 * the SDK's default would wait on a silent socket until the Lambda times out, before the flip's
 * notification and audit could be written).
 */
export const ROUTE53_TIMEOUTS = {
  connectionTimeout: 2_000,
  requestTimeout: 15_000,
  throwOnRequestTimeout: true,
} as const;

/** Bound of one SSM read of a probe header secret; a round waits for it only on a cold start. */
export const PROBE_SECRET_TIMEOUT_MS = 3_000;

/**
 * Every notification links the stack's dashboard (`DASHBOARD_URL`, set by the deploy); without the
 * variable (the local stack, tests) notifications go out as they are.
 *
 * @example
 * const notifier = withDashboardLink(createNotifier(options), process.env.DASHBOARD_URL);
 */
export function withDashboardLink(notifier: Notifier, dashboardUrl: string | undefined): Notifier {
  if (dashboardUrl === undefined || dashboardUrl === '') return notifier;
  return { notify: (notification, groups) => notifier.notify({ ...notification, dashboardUrl }, groups) };
}

const cached = new Map<string, Runtime>();

/** The runtime of this cold start of function `fn` (the local stack runs several in one process). */
export function runtime(fn: string): Runtime {
  let built = cached.get(fn);
  if (!built) {
    built = buildRuntime(fn);
    cached.set(fn, built);
  }
  return built;
}

function buildRuntime(fn: string, env: NodeJS.ProcessEnv = process.env): Runtime {
  const config = loadConfig({ env });
  const log = createLogger({ fn });
  const clock = systemClock;
  let invoker: Invoker | undefined;
  const ssm = new SSMClient({});
  // The notifiers' resolver: each `${ssm:/path}` header value is read once per cold start, and a
  // failed read is tried again next round. Values are never logged, only paths.
  const probeSecrets = createSecretResolver({ ssm: () => ssm, timeoutMs: PROBE_SECRET_TIMEOUT_MS });
  const dynamodb = new DynamoDBClient({ requestHandler: DYNAMODB_TIMEOUTS });
  const cloudwatch = new CloudWatchClient({});
  const namespace = env.METRICS_NAMESPACE ?? 'FailoverController';
  const stage = env.STAGE ?? 'local';
  return {
    config,
    store: stateStoreFromEnv({ client: dynamodb, env, clock }),
    votes: createVoteStore({
      client: dynamodb,
      table: stateTableFromEnv(env),
      onCorrupt: (error) => log.error('unreadable vantage votes; that vantage counts as silent', { error }),
    }),
    vantage: env.VANTAGE ?? env.AWS_REGION ?? 'default',
    handover: createHandoverStore({ client: dynamodb, table: stateTableFromEnv(env), clock }),
    traffic: createTrafficSwitch({
      client: new Route53Client({ region: 'us-east-1', requestHandler: ROUTE53_TIMEOUTS }),
      clock,
    }),
    trafficSignal: createTrafficSignal({ client: cloudwatch, namespace, stage }),
    prober: createProber({
      cloudwatch,
      clock,
      secrets: (ref) => probeSecrets.resolve(ref),
      log: (message, fields) => log.error(message, fields),
    }),
    notifier: withDashboardLink(
      createNotifier({
        notifiers: config.notifiers,
        sns: new SNSClient({}),
        ssm,
        clock,
        log: (entry: object) => log.warn('notifier', { ...entry }),
      }),
      env[DASHBOARD_URL_VARIABLE],
    ),
    clock,
    log,
    metrics: createEmfMetrics({ namespace }),
    stage,
    invoker: () => {
      invoker ??= createLambdaInvoker({
        client: new LambdaClient({}),
        functionNames: flipFunctionNamesFromEnv(env),
      });
      return invoker;
    },
  };
}
