/**
 * What the demo puts in the local Route 53 before the first watchdog run: every hosted zone the
 * configuration names (under that ID), and one weighted record per target of each service, traffic
 * on the target the state table says is active (the first, most preferred, on a first start).
 *
 * A record's value is the host of the target's first http or tcp check — a CNAME takes a host
 * name, an A record an IPv4 address, an AAAA record an IPv6 address — except for a check of a demo
 * backend, whose record gets a readable demo name (`primary.demo.internal`).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { ChangeResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import type { ControllerConfig, ServiceConfig, TargetConfig, TargetId } from '../../shared/domain/config.ts';
import type { LocalRoute53 } from '../route53/index.ts';
import { DemoSetupError } from './errors.ts';

/** TTL of the seeded weighted records (the controller copies it unchanged on every flip). */
export const SEEDED_TTL = 60;

export interface SeededRecord {
  readonly target: TargetId;
  readonly setIdentifier: string;
  readonly value: string;
  readonly weight: number;
}

export interface SeedPlan {
  /** The records' TTL (the controller copies it unchanged on every flip). */
  readonly ttl: number;
  /** One per hosted zone ID in the configuration; the name is derived from the record names. */
  readonly zones: readonly { readonly id: string; readonly name: string }[];
  readonly services: readonly {
    readonly service: ServiceConfig;
    /** One per target, most preferred first. */
    readonly records: readonly SeededRecord[];
  }[];
}

/**
 * Plans the zones and records; throws `DemoSetupError` naming the service and target when a value
 * cannot be derived. `demoNames` maps a demo backend's URL origin to its record value.
 */
export function planSeed(
  config: ControllerConfig,
  active: ReadonlyMap<string, TargetId>,
  demoNames: ReadonlyMap<string, string>,
  options: {
    /** Active-active: the decided weight map of a service the state table has one for. */
    readonly weights?: ReadonlyMap<string, Readonly<Record<TargetId, number>>>;
    readonly ttl?: number;
  } = {},
): SeedPlan {
  const problems: string[] = [];
  const services = config.services.map((service, index) => {
    const activeId = active.get(service.name) ?? service.targets[0]?.id;
    // Active-active (issue #13 item 3): every target at its decided weight, else its configured one.
    const shares = service.policy.activeActive;
    const decided = options.weights?.get(service.name);
    const weightOf = (id: TargetId): number => {
      if (shares === undefined) return activeId === id ? service.activeWeight : 0;
      return decided === undefined ? (shares.weights[id] ?? 0) : (decided[id] ?? 0);
    };
    const record = (target: TargetConfig): SeededRecord => {
      const derived = recordValue(service, target, demoNames);
      if (!derived.ok) problems.push(`services[${index}] (${service.name}) ${target.id}: ${derived.problem}`);
      return {
        target: target.id,
        setIdentifier: target.setIdentifier,
        value: derived.ok ? derived.value : '',
        weight: weightOf(target.id),
      };
    };
    return { service, records: service.targets.map(record) };
  });
  const zones = zonesOf(config.services, problems);
  if (problems.length > 0) {
    throw new DemoSetupError(
      [`Cannot seed the local Route 53 from ${config.file}:`, ...problems.map((p) => `  - ${p}`)].join('\n'),
    );
  }
  return { ttl: options.ttl ?? SEEDED_TTL, zones, services };
}

/** Creates the zones (under the configured IDs) and the records through the real Route 53 API. */
export async function seedRoute53(
  plan: SeedPlan,
  route53: LocalRoute53,
  client: Route53Client,
): Promise<void> {
  for (const zone of plan.zones) route53.createHostedZone(zone.name, { id: zone.id });
  for (const { service, records } of plan.services) {
    await client.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: service.hostedZoneId,
        ChangeBatch: {
          Comment: `local demo: seed ${service.name}`,
          Changes: records.map((record) => ({
            Action: 'CREATE',
            ResourceRecordSet: {
              Name: service.recordName,
              Type: service.recordType,
              SetIdentifier: record.setIdentifier,
              Weight: record.weight,
              TTL: plan.ttl,
              ResourceRecords: [{ Value: record.value }],
            },
          })),
        },
      }),
    );
  }
}

type Derived = { ok: true; value: string } | { ok: false; problem: string };

function recordValue(
  service: ServiceConfig,
  target: TargetConfig,
  demoNames: ReadonlyMap<string, string>,
): Derived {
  const check = target.checks.find((c) => c.kind === 'http' || c.kind === 'tcp');
  if (check === undefined) {
    return {
      ok: false,
      problem:
        'the record value is the host of the first http or tcp check, and this target has none; add an http or tcp check',
    };
  }
  let host: string;
  if (check.kind === 'http') {
    const url = new URL(check.url);
    const demoName = demoNames.get(url.origin);
    if (demoName !== undefined) return { ok: true, value: demoName };
    host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  } else {
    host = check.host;
  }
  const kind = isIPv4(host) ? 'an IPv4 address' : isIPv6(host) ? 'an IPv6 address' : 'a host name';
  const fits =
    service.recordType === 'A'
      ? isIPv4(host)
      : service.recordType === 'AAAA'
        ? isIPv6(host)
        : kind === 'a host name';
  if (fits) return { ok: true, value: host };
  const needs = { A: 'an IPv4 address', AAAA: 'an IPv6 address', CNAME: 'a host name' }[service.recordType];
  const suggestion = isIPv4(host) ? 'A' : isIPv6(host) ? 'AAAA' : 'CNAME';
  return {
    ok: false,
    problem: `the record value comes from the host of the first ${check.kind} check, "${host}", ${kind}, but recordType ${service.recordType} needs ${needs}; use recordType: ${suggestion} or a check whose host fits`,
  };
}

/** The zone of each ID: the longest common parent domain of its services' record names. */
function zonesOf(services: readonly ServiceConfig[], problems: string[]): { id: string; name: string }[] {
  const byId = new Map<string, ServiceConfig[]>();
  for (const service of services)
    byId.set(service.hostedZoneId, [...(byId.get(service.hostedZoneId) ?? []), service]);
  const zones: { id: string; name: string }[] = [];
  for (const [id, members] of byId) {
    const parents = members.map((s) =>
      s.recordName
        .split('.')
        .filter((label) => label !== '')
        .slice(1),
    );
    let common = parents[0] ?? [];
    for (const labels of parents.slice(1)) {
      let n = 0;
      while (n < common.length && n < labels.length && common.at(-1 - n) === labels.at(-1 - n)) n++;
      common = common.slice(common.length - n);
    }
    if (common.length === 0) {
      problems.push(
        `hosted zone ${id}: no domain holds every record name (${members.map((s) => s.recordName).join(', ')}) below its apex; the demo names the zone after their common parent domain`,
      );
      continue;
    }
    zones.push({ id, name: `${common.join('.')}.` });
  }
  return zones;
}
