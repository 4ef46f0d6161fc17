/**
 * The e2e harness: the local stack, one hosted zone with a weighted CNAME record per target of each
 * service (a pair unless the service lists its targets), one real HTTP backend per target, a webhook
 * receiver, a config file written for them, and the real watchdog handler run for a given number of
 * 1 s rounds.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { type DemoBackend, startDemoBackend } from '../../local/backend/index.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { SAFETY_MARGIN_MS } from '../../shared/controller/watchdog.ts';
import type { TargetId } from '../../shared/domain/config.ts';
import { type Receiver, startReceiver } from '../support/receivers.ts';

export const ZONE = 'example.test.';
export const WEBHOOK_SECRET = 'e2e-webhook-secret';

export interface E2EService {
  readonly name: string;
  readonly failback: 'auto' | 'manual';
  readonly minDwellSeconds?: number;
  /** Notifier groups; default one webhook group per service (`hook-<name>`) to the harness receiver. */
  readonly notify?: readonly string[];
  /**
   * Target ids in preference order, written as a `targets:` list (issue #19). Default: `primary:`
   * and `secondary:`.
   */
  readonly targets?: readonly TargetId[];
  /** The weighted records' TTL (default 30 s). */
  readonly ttlSeconds?: number;
  /** More policy lines for the service, as YAML `key: value` (e.g. `failbackSteps: [10, 50, 100]`). */
  readonly policy?: readonly string[];
  /**
   * `mode: active-active` (issue #13 item 3): each listed target's weight, in the order of `targets`;
   * the records start at these weights.
   */
  readonly weights?: readonly number[];
}

/** A service's backends by target id (`primary` and `secondary` always; more when it lists them). */
export type TargetBackends = { readonly primary: DemoBackend; readonly secondary: DemoBackend } & Readonly<
  Record<TargetId, DemoBackend>
>;

const PAIR: readonly TargetId[] = ['primary', 'secondary'];
const targetsOf = (service: E2EService): readonly TargetId[] => service.targets ?? PAIR;

export interface HarnessOptions {
  /** Extra notifier groups, as YAML lines indented under `notifiers:` (two spaces). */
  readonly notifiersYaml?: readonly string[];
}

export interface Harness {
  readonly stack: LocalStack;
  readonly zoneId: string;
  readonly backends: ReadonlyMap<string, TargetBackends>;
  readonly webhook: Receiver;
  readonly configFile: string;
  recordName(service: string): string;
  primaryTarget(service: string): string;
  secondaryTarget(service: string): string;
  /** The value of a target's weighted record: `<id>.<service>.example.net`. */
  targetHost(service: string, id: TargetId): string;
  close(): Promise<void>;
}

export async function startHarness(
  services: readonly E2EService[],
  options: HarnessOptions = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'failover-e2e-'));
  const stack = await startLocalStack({ flipRetries: 0 });
  const webhook = await startReceiver({ status: 200, body: 'ok' });
  const route53 = new Route53Client({ region: 'us-east-1' });
  const zone = await route53.send(
    new CreateHostedZoneCommand({ Name: ZONE, CallerReference: `e2e-${Date.now()}` }),
  );
  const zoneId = (zone.HostedZone?.Id ?? '').replace('/hostedzone/', '');

  const backends = new Map<string, TargetBackends>();
  for (const service of services) {
    const ids = targetsOf(service);
    const started: Record<TargetId, DemoBackend> = {};
    for (const id of new Set([...PAIR, ...ids])) {
      started[id] = await startDemoBackend(`${service.name}-${id}`);
    }
    const { primary, secondary } = started;
    if (primary === undefined || secondary === undefined) throw new Error('no primary or secondary backend');
    backends.set(service.name, { ...started, primary, secondary });
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: ids.map((target, index) => ({
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: `${service.name}.${ZONE}`,
              Type: 'CNAME',
              SetIdentifier: target,
              Weight: service.weights?.[index] ?? (index === 0 ? 100 : 0),
              TTL: service.ttlSeconds ?? 30,
              ResourceRecords: [{ Value: `${target}.${service.name}.example.net` }],
            },
          })),
        },
      }),
    );
  }
  route53.destroy();

  const configFile = join(dir, 'failover.config.yml');
  await writeFile(
    configFile,
    configYaml(services, zoneId, backends, webhook.url, options.notifiersYaml ?? []),
  );
  process.env.FAILOVER_CONFIG = configFile;

  return {
    stack,
    zoneId,
    backends,
    webhook,
    configFile,
    recordName: (service) => `${service}.${ZONE}`,
    primaryTarget: (service) => `primary.${service}.example.net`,
    secondaryTarget: (service) => `secondary.${service}.example.net`,
    targetHost: (service, id) => `${id}.${service}.example.net`,
    close: async () => {
      await stack.close();
      await webhook.close();
      for (const started of backends.values()) {
        for (const backend of new Set(Object.values(started))) await backend.close();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function configYaml(
  services: readonly E2EService[],
  zoneId: string,
  backends: ReadonlyMap<string, TargetBackends>,
  webhookUrl: string,
  extraNotifiers: readonly string[],
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
    const pair = backends.get(service.name);
    if (!pair) throw new Error(`no backends for ${service.name}`);
    const header = [
      `  - name: ${service.name}`,
      `    hostedZoneId: ${zoneId}`,
      `    recordName: ${service.name}.${ZONE}`,
      '    recordType: CNAME',
      `    failback: ${service.failback}`,
      `    minDwellSeconds: ${service.minDwellSeconds ?? 0}`,
      ...(service.policy ?? []).map((line) => `    ${line}`),
      ...(service.weights === undefined ? [] : ['    mode: active-active']),
    ];
    const notify = `    notify: [${(service.notify ?? [`hook-${service.name}`]).join(', ')}]`;
    if (service.targets !== undefined) {
      lines.push(...header, '    targets:');
      for (const [index, id] of service.targets.entries()) {
        const body = index === 0 ? ', bodyContains: ok' : '';
        lines.push(
          `      - id: ${id}`,
          `        setIdentifier: ${id}`,
          '        checks:',
          `          - http: { url: "${pair[id]?.url}/health", timeoutMs: 500${body} }`,
          ...(service.weights === undefined ? [] : [`        weight: ${service.weights[index]}`]),
        );
      }
      lines.push(notify);
      continue;
    }
    lines.push(
      ...header,
      '    primary:',
      '      setIdentifier: primary',
      '      checks:',
      `        - http: { url: "${pair.primary.url}/health", timeoutMs: 500, bodyContains: ok }`,
      '    secondary:',
      '      setIdentifier: secondary',
      '      checks:',
      `        - http: { url: "${pair.secondary.url}/health", timeoutMs: 500 }`,
      notify,
    );
  }
  lines.push('notifiers:');
  for (const service of services) {
    lines.push(
      `  hook-${service.name}:`,
      `    - webhook: { url: "${webhookUrl}/${service.name}", secret: ${WEBHOOK_SECRET} }`,
    );
  }
  lines.push(...extraNotifiers);
  return `${lines.join('\n')}\n`;
}

/** A Lambda context whose remaining time allows `rounds` probe rounds at 1 s. */
export function contextFor(rounds: number): { getRemainingTimeInMillis(): number; functionName: string } {
  // A round starts only while its check timeout (0.5 s) and the watchdog's safety margin still fit;
  // 0.8 s of slack absorbs late round starts on a busy machine without allowing one round more.
  const deadline = Date.now() + (rounds - 1) * 1000 + 1_300 + SAFETY_MARGIN_MS;
  return { functionName: 'watchdog', getRemainingTimeInMillis: () => deadline - Date.now() };
}
