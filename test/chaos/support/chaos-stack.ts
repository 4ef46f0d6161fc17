/**
 * The chaos matrix's stack: the local DynamoDB (with its fault layer), the local Route 53, the
 * Lambda stand-in running the REAL failover and failback handlers, one hosted zone with a weighted
 * CNAME pair per service, two scripted HTTP backends per service, a webhook receiver, and a config
 * file written for them. Every AWS client is a real SDK client over HTTP, pointed here by the
 * standard `AWS_ENDPOINT_URL_<SERVICE>` variables. Faults are injected in the stand-ins.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { flipHandler } from '../../../functions/flip-handler.ts';
import { watchdogHandler } from '../../../functions/watchdog.ts';
import { type LocalCloudWatch, startLocalCloudWatch } from '../../../local/cloudwatch/index.ts';
import { createStateTable, type LocalDynamo, startLocalDynamo } from '../../../local/dynamodb/index.ts';
import {
  deployedFunction,
  type LocalHandler,
  type LocalLambda,
  startLocalLambda,
} from '../../../local/lambda/index.ts';
import { loadDeployedSettings } from '../../../local/lambda/settings.ts';
import { type LocalRoute53, startLocalRoute53 } from '../../../local/route53/index.ts';
import { startVantageNetwork, type VantageNetwork } from '../../../local/vantage/network.ts';
import { createStateStore } from '../../../shared/aws/state-store.ts';
import { parseConfig } from '../../../shared/config/index.ts';
import type { FlipResponse } from '../../../shared/controller/flip.ts';
import { type Runtime, runtime } from '../../../shared/controller/runtime.ts';
import type { WatchdogReport } from '../../../shared/controller/watchdog.ts';
import type { AuditEvent } from '../../../shared/domain/events.ts';
import type { StateStore } from '../../../shared/domain/ports.ts';
import type { ServiceState } from '../../../shared/domain/state.ts';
import { contextFor } from '../../e2e/harness.ts';
import { type Receiver, startReceiver } from '../../support/receivers.ts';
import { type ScriptedBackend, startScriptedBackend } from './scripted-backend.ts';

export const ZONE = 'chaos.test.';
export const TABLE = 'failover-chaos-state';
export const FUNCTIONS = { failover: 'chaos-failover', failback: 'chaos-failback' } as const;
/** Lambda timeout of the flip functions: their INSYNC wait is 15 s less (see functions/flip-handler.ts). */
export const FLIP_TIMEOUT_MS = 20_000;
const CAPTURED = 'captured by the test';
/**
 * Lambda's own delays run 20x faster here (async retry after 3 s, not 60 s; event age 6 s, not
 * 120 s): the flips' retries happen within a test. See local/lambda/README.md.
 */
export const LAMBDA_TIME_SCALE = 0.05;

export interface ChaosService {
  readonly name: string;
  readonly failback?: 'auto' | 'manual';
  readonly minDwellSeconds?: number;
  readonly recoveryThreshold?: number;
  readonly maxAutoFailbacksPerHour?: number;
  /** Issue #12: the service's `dataPlane` mode and deadline. */
  readonly dataPlane?: 'off' | 'fallback' | 'only';
  readonly dataPlaneDeadlineSeconds?: number;
  /** Extra fields of the primary's http check, YAML flow style: `maxLatencyMs: 300`. */
  readonly primaryCheck?: string;
  /** Notifier groups; default one webhook group (`hook-<name>`) to the stack's receiver. */
  readonly notify?: readonly string[];
  /** The hosted zone (its name) that holds the service's records; default `ZONE`. */
  readonly zone?: string;
}

export interface ChaosStackOptions {
  /**
   * Issue #12: start the local CloudWatch with its clock running `timeScale` times faster than real
   * time (60: a 60 s alarm period passes in 1 s), and let the local Route 53's health checks follow
   * its alarms after `healthCheckDelayMs` (CloudWatch time).
   */
  readonly cloudwatch?: { readonly timeScale: number; readonly healthCheckDelayMs?: number };
  /** Extra notifier groups, as YAML lines indented under `notifiers:`. */
  readonly notifiersYaml?: readonly string[];
  /** The Lambda stand-in's time scale; default `LAMBDA_TIME_SCALE`. */
  readonly lambdaTimeScale?: number;
  /**
   * Several vantages (issue #11): each probes through its own view of the network (`network`), with
   * `vantages.regions` these names; `canary`: a canary backend every vantage must reach.
   */
  readonly vantages?: {
    readonly regions: readonly string[];
    readonly quorum?: number;
    readonly canary?: boolean;
  };
}

export interface RunOptions {
  /** Only these services (default: all). */
  readonly only?: readonly string[];
  /** The watchdog's clock is this far ahead of (negative: behind) real time. */
  readonly shiftMs?: number;
  /** The scheduled event's `time` (default: the watchdog's now). */
  readonly eventTime?: string;
}

type Flip = (event: unknown, context: unknown) => Promise<FlipResponse>;
export type FunctionName = keyof typeof FUNCTIONS;

export interface ChaosStack {
  readonly dynamo: LocalDynamo;
  readonly route53: LocalRoute53;
  readonly lambda: LocalLambda;
  readonly webhook: Receiver;
  /** With `cloudwatch`: the local CloudWatch the handlers publish the data-plane signal to. */
  readonly cloudwatch: LocalCloudWatch | null;
  readonly zoneId: string;
  /** Every hosted zone of the stack by name (`ZONE` and those the services name), with its id. */
  readonly zoneIds: ReadonlyMap<string, string>;
  /** A service's fully qualified record name, in its own zone. */
  recordName(service: string): string;
  /** A store on its own client (for assertions; DynamoDB faults apply to it too). */
  readonly store: StateStore;
  backends(service: string): { primary: ScriptedBackend; secondary: ScriptedBackend };
  /** One scheduled run of the real watchdog handler, `rounds` rounds at 1 s; waits for the flips it started. */
  runWatchdog(rounds: number, options?: RunOptions): Promise<WatchdogReport>;
  state(service: string): Promise<ServiceState>;
  history(service: string): Promise<AuditEvent[]>;
  /** Route 53 change batches applied for `service` since the stack was set up. */
  changesFor(service: string): readonly unknown[];
  /** The events the webhook receiver got for `service`, in order. */
  hookEvents(service: string): string[];
  /** Finished runs of a flip function for `service`: what each returned or threw. */
  flipRuns(fn: FunctionName, service: string): { attempt: number; outcome?: string; result?: FlipResponse }[];
  /** Swap a flip function's handler (the real one is restored by `restore`). */
  register(fn: FunctionName, handler: Flip, timeoutMs?: number): void;
  /** Hold the watchdog's flip invocations back: they are collected instead of run. */
  capture(fn: FunctionName): unknown[];
  restore(fn: FunctionName): void;
  /** Invoke a flip function through the Lambda API (`Event`: async, with its retry). */
  invoke(
    fn: FunctionName,
    payload: unknown,
    type?: 'Event' | 'RequestResponse',
  ): Promise<FlipResponse | null>;
  /** With `vantages`: each vantage's view of the network (partition one from the primary, blind one). */
  readonly network: VantageNetwork | null;
  /** With `vantages`: one scheduled run of the real watchdog handler as `vantage`. */
  runVantage(vantage: string, rounds: number, options?: RunOptions): Promise<WatchdogReport>;
  /** Change a service's weights by hand (UPSERT), as an operator in the console would. */
  editWeights(service: string, weights: { primary: number; secondary: number }): Promise<void>;
  close(): Promise<void>;
}

export async function startChaosStack(
  services: readonly ChaosService[],
  options: ChaosStackOptions = {},
): Promise<ChaosStack> {
  const dir = await mkdtemp(join(tmpdir(), 'failover-chaos-'));
  const dynamo = await startLocalDynamo();
  const started = Date.now();
  const scale = options.cloudwatch?.timeScale ?? 1;
  const cloudwatch =
    options.cloudwatch === undefined
      ? null
      : await startLocalCloudWatch({ now: () => started + (Date.now() - started) * scale });
  const route53 = await startLocalRoute53({
    inSyncDelayMs: 0,
    ...(cloudwatch === null
      ? {}
      : {
          cloudwatch: cloudwatch.alarmStates,
          healthCheckDelayMs: options.cloudwatch?.healthCheckDelayMs ?? 0,
        }),
  });
  if (cloudwatch !== null) process.env.AWS_ENDPOINT_URL_CLOUDWATCH = cloudwatch.endpoint;
  const deployed = loadDeployedSettings({ stage: 'local' }).functions;
  const lambda = await startLocalLambda({ timeScale: options.lambdaTimeScale ?? LAMBDA_TIME_SCALE });
  const webhook = await startReceiver({ status: 200, body: 'ok' });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_ROUTE_53: route53.endpoint,
    AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint,
    STATE_TABLE: TABLE,
    FAILOVER_FUNCTION_NAME: FUNCTIONS.failover,
    FAILBACK_FUNCTION_NAME: FUNCTIONS.failback,
  });

  const dynamoClient = new DynamoDBClient({});
  await createStateTable(dynamoClient, TABLE);
  const store = createStateStore({ client: dynamoClient, table: TABLE });
  const r53 = new Route53Client({ region: 'us-east-1' });
  const lambdaClient = new LambdaClient({});
  const zoneIds = new Map<string, string>();
  for (const name of new Set([ZONE, ...services.map((s) => s.zone ?? ZONE)])) {
    const zone = await r53.send(
      new CreateHostedZoneCommand({ Name: name, CallerReference: `chaos-${name}-${Date.now()}` }),
    );
    zoneIds.set(name, (zone.HostedZone?.Id ?? '').replace('/hostedzone/', ''));
  }
  const zoneId = zoneIds.get(ZONE) ?? '';
  const zoneOf = (service: string) => services.find((s) => s.name === service)?.zone ?? ZONE;
  const zoneIdOf = (service: string) => zoneIds.get(zoneOf(service)) ?? zoneId;
  const recordName = (service: string) => `${service}.${zoneOf(service)}`;
  const weighted = (service: string, target: 'primary' | 'secondary', weight: number) => ({
    Name: recordName(service),
    Type: 'CNAME' as const,
    SetIdentifier: target,
    Weight: weight,
    TTL: 30,
    ResourceRecords: [{ Value: `${target}.${service}.example.net` }],
  });

  const pairs = new Map<string, { primary: ScriptedBackend; secondary: ScriptedBackend }>();
  for (const service of services) {
    pairs.set(service.name, {
      primary: await startScriptedBackend(),
      secondary: await startScriptedBackend(),
    });
    await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneIdOf(service.name),
        ChangeBatch: {
          Changes: [
            { Action: 'CREATE', ResourceRecordSet: weighted(service.name, 'primary', 100) },
            { Action: 'CREATE', ResourceRecordSet: weighted(service.name, 'secondary', 0) },
          ],
        },
      }),
    );
  }
  const setupChanges = route53.changes.length;
  const backends = (service: string) => {
    const pair = pairs.get(service);
    if (!pair) throw new Error(`no backends for ${service}`);
    return pair;
  };

  const configFile = join(dir, 'failover.config.yml');
  const direct = (_service: string, _target: string, url: string) => url;
  await writeFile(
    configFile,
    configYaml(services, zoneIds, backends, webhook.url, options.notifiersYaml ?? [], direct),
  );
  process.env.FAILOVER_CONFIG = configFile;

  // Vantages: each one's config reaches the backends (and the canary) through its own path.
  const network = options.vantages === undefined ? null : await startVantageNetwork();
  const canary = options.vantages?.canary ? await startScriptedBackend() : null;
  const vantageConfigs = new Map<string, string>();
  if (network !== null && options.vantages !== undefined) {
    const { regions, quorum } = options.vantages;
    for (const vantage of regions) {
      const via = (service: string, target: string, url: string) =>
        network.route(vantage, `${service}/${target}`, url);
      const canaryLine =
        canary === null
          ? ''
          : `, canary: { url: "${network.route(vantage, 'canary', `${canary.url}/health`)}", timeoutMs: 500 }`;
      const quorumLine = quorum === undefined ? '' : `, quorum: ${quorum}`;
      vantageConfigs.set(
        vantage,
        `${configYaml(services, zoneIds, backends, webhook.url, options.notifiersYaml ?? [], via)}` +
          `vantages: { regions: [${regions.join(', ')}]${quorumLine}${canaryLine} }\n`,
      );
    }
  }

  const real: Record<FunctionName, Flip> = {
    failover: flipHandler('failover') as unknown as Flip,
    failback: flipHandler('failback') as unknown as Flip,
  };
  const register = (fn: FunctionName, handler: Flip, timeoutMs = FLIP_TIMEOUT_MS) => {
    const settings = deployed.get(fn);
    if (!settings) throw new Error(`serverless.yml has no '${fn}' function`);
    // As deployed (reserved concurrency, retries, event age), with the shorter chaos timeout.
    lambda.register(FUNCTIONS[fn], { ...deployedFunction(settings, handler as LocalHandler), timeoutMs });
  };
  register('failover', real.failover);
  register('failback', real.failback);

  return {
    dynamo,
    route53,
    lambda,
    webhook,
    cloudwatch,
    zoneId,
    zoneIds,
    recordName,
    store,
    backends,
    async runWatchdog(rounds, run = {}) {
      const rt = runtime('watchdog');
      const shift = run.shiftMs ?? 0;
      const clock = shift === 0 ? rt.clock : { now: () => Date.now() + shift, sleep: rt.clock.sleep };
      const only = run.only;
      const config =
        only === undefined
          ? rt.config
          : { ...rt.config, services: rt.config.services.filter((s) => only.includes(s.name)) };
      const handler = watchdogHandler((): Runtime => ({ ...rt, clock, config }));
      const event = { time: run.eventTime ?? new Date(clock.now()).toISOString() };
      try {
        return (await handler(event, contextFor(rounds))) as WatchdogReport;
      } finally {
        await lambda.idle();
      }
    },
    async state(service) {
      const found = await store.load(service);
      if (!found) throw new Error(`no state for ${service}`);
      return found.value;
    },
    network,
    async runVantage(vantage, rounds, run = {}) {
      const text = vantageConfigs.get(vantage);
      if (text === undefined) throw new Error(`no vantage ${vantage}: start the stack with vantages`);
      const rt = runtime('watchdog');
      const shift = run.shiftMs ?? 0;
      const clock = shift === 0 ? rt.clock : { now: () => Date.now() + shift, sleep: rt.clock.sleep };
      const parsed = parseConfig(text, join(dir, `${vantage}.config.yml`), {});
      const only = run.only;
      const config =
        only === undefined
          ? parsed
          : { ...parsed, services: parsed.services.filter((s) => only.includes(s.name)) };
      const handler = watchdogHandler((): Runtime => ({ ...rt, clock, config, vantage }));
      const event = { time: run.eventTime ?? new Date(clock.now()).toISOString() };
      try {
        return (await handler(event, contextFor(rounds))) as WatchdogReport;
      } finally {
        await lambda.idle();
      }
    },
    history: (service) => store.history(service, 100),
    changesFor: (service) =>
      route53.changes
        .slice(setupChanges)
        .filter((c) => JSON.stringify(c.changes).includes(`"${recordName(service)}"`)),
    hookEvents: (service) =>
      webhook.requests
        .filter((r) => r.path === `/${service}`)
        .map((r) => (JSON.parse(r.body) as { event: string }).event),
    flipRuns: (fn, service) =>
      lambda.invocations
        .filter(
          (i) =>
            i.functionName === FUNCTIONS[fn] &&
            i.outcome !== undefined &&
            carries(i.payload, service) &&
            (i.result as { message?: unknown } | undefined)?.message !== CAPTURED,
        )
        .map((i) => {
          // A batch of the watchdog's moves answers `{ outcomes }`: this service's is its run's result.
          const result = answerFor(i.result, service);
          return { attempt: i.attempt, outcome: i.outcome, ...(result === undefined ? {} : { result }) };
        }),
    register,
    capture(fn) {
      const captured: unknown[] = [];
      register(fn, async (event) => {
        captured.push(event);
        return { service: '', outcome: 'stale', message: CAPTURED };
      });
      return captured;
    },
    restore: (fn) => register(fn, real[fn]),
    async invoke(fn, payload, type = 'RequestResponse') {
      const out = await lambdaClient.send(
        new InvokeCommand({
          FunctionName: FUNCTIONS[fn],
          InvocationType: type,
          Payload: new TextEncoder().encode(JSON.stringify(payload)),
        }),
      );
      if (type === 'Event') return null;
      return JSON.parse(new TextDecoder().decode(out.Payload)) as FlipResponse;
    },
    async editWeights(service, weights) {
      await r53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneIdOf(service),
          ChangeBatch: {
            Comment: 'edited by hand',
            Changes: (['primary', 'secondary'] as const).map((target) => ({
              Action: 'UPSERT',
              ResourceRecordSet: weighted(service, target, weights[target]),
            })),
          },
        }),
      );
    },
    async close() {
      await lambda.idle();
      dynamoClient.destroy();
      r53.destroy();
      lambdaClient.destroy();
      await lambda.close();
      await webhook.close();
      await network?.close();
      await canary?.close();
      for (const pair of pairs.values()) {
        await pair.primary.close();
        await pair.secondary.close();
      }
      await route53.close();
      await cloudwatch?.close();
      await dynamo.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Whether an invocation payload (one request, or the watchdog's batch of moves) moves `service`. */
function carries(payload: unknown, service: string): boolean {
  if (payload === null || typeof payload !== 'object') return false;
  if ('moves' in payload && Array.isArray(payload.moves)) {
    return payload.moves.some((move: { service?: unknown }) => move?.service === service);
  }
  return (payload as { service?: unknown }).service === service;
}

function answerFor(result: unknown, service: string): FlipResponse | undefined {
  if (result === null || typeof result !== 'object') return undefined;
  if ('outcomes' in result && Array.isArray(result.outcomes)) {
    return (result.outcomes as FlipResponse[]).find((outcome) => outcome.service === service);
  }
  return result as FlipResponse;
}

function configYaml(
  services: readonly ChaosService[],
  zoneIds: ReadonlyMap<string, string>,
  backends: (service: string) => { primary: ScriptedBackend; secondary: ScriptedBackend },
  webhookUrl: string,
  extraNotifiers: readonly string[],
  reach: (service: string, target: string, url: string) => string,
): string {
  const lines = [
    'defaults:',
    '  probeIntervalSeconds: 1',
    '  failureThreshold: 2',
    '  recoveryThreshold: 2',
    '  minDwellSeconds: 0',
    '  failback: manual',
    'services:',
  ];
  for (const service of services) {
    const pair = backends(service.name);
    const extra = service.primaryCheck === undefined ? '' : `, ${service.primaryCheck}`;
    lines.push(
      `  - name: ${service.name}`,
      `    hostedZoneId: ${zoneIds.get(service.zone ?? ZONE)}`,
      `    recordName: ${service.name}.${service.zone ?? ZONE}`,
      '    recordType: CNAME',
      `    failback: ${service.failback ?? 'manual'}`,
      `    minDwellSeconds: ${service.minDwellSeconds ?? 0}`,
      ...(service.recoveryThreshold === undefined
        ? []
        : [`    recoveryThreshold: ${service.recoveryThreshold}`]),
      ...(service.maxAutoFailbacksPerHour === undefined
        ? []
        : [`    maxAutoFailbacksPerHour: ${service.maxAutoFailbacksPerHour}`]),
      ...(service.dataPlane === undefined ? [] : [`    dataPlane: ${service.dataPlane}`]),
      ...(service.dataPlaneDeadlineSeconds === undefined
        ? []
        : [`    dataPlaneDeadlineSeconds: ${service.dataPlaneDeadlineSeconds}`]),
      '    primary:',
      '      setIdentifier: primary',
      '      checks:',
      `        - http: { url: "${reach(service.name, 'primary', `${pair.primary.url}/health`)}", timeoutMs: 500, bodyContains: ok${extra} }`,
      '    secondary:',
      '      setIdentifier: secondary',
      '      checks:',
      `        - http: { url: "${reach(service.name, 'secondary', `${pair.secondary.url}/health`)}", timeoutMs: 500, bodyContains: ok }`,
      `    notify: [${(service.notify ?? [`hook-${service.name}`]).join(', ')}]`,
    );
  }
  lines.push('notifiers:');
  for (const service of services) {
    lines.push(`  hook-${service.name}:`, `    - webhook: { url: "${webhookUrl}/${service.name}" }`);
  }
  lines.push(...extraNotifiers);
  return `${lines.join('\n')}\n`;
}
