/**
 * `failoverctl drill <service>`: rehearse a planned failover and the failback, measuring each way
 * every part on its own: request to change accepted, accepted to INSYNC (propagation), INSYNC to the
 * authoritative DNS answer moving; then what a drill cannot show (detection, the resolvers' TTL) as
 * the bound to plan an unplanned failover with. Refuses to start unless traffic is on a healthy primary (the first target)
 * with a healthy standby (the second: where a failover goes without `--to`).
 */
import { GetHostedZoneCommand } from '@aws-sdk/client-route-53';
import type { Direction, FlipResponse } from '../../shared/controller/flip.ts';
import { type ServiceConfig, type TargetId, targetOf, targetOrder } from '../../shared/domain/config.ts';
import type { TrafficReading, WeightedRecordSet } from '../../shared/domain/ports.ts';
import { healthOf, phaseOf, type ServiceState } from '../../shared/domain/state.ts';
import { type Command, integerOption, servicePositional, stringOption } from '../command.ts';
import type { CliContext } from '../context.ts';
import { createDnsWatch, DNS_SERVER_ENV, type DnsWatch, normalizeAnswer } from '../dns-watch.ts';
import { EXIT_FAILED, EXIT_OK, OperationError, UsageError } from '../errors.ts';
import { duration, table } from '../format.ts';
import { invokeFunction } from '../invoke.ts';
import { asFlipResponse, describeFlip } from '../outcome.ts';

const DNS_POLL_MS = 250;

export const drillCommand: Command = {
  name: 'drill',
  summary: 'rehearse failover and failback, timing each step to the DNS answer',
  usage:
    'failoverctl drill <service> [--dns-server HOST:PORT]... [--timeout SECONDS] [--wait SECONDS] [--reason TEXT] [--as NAME]',
  details: [
    'A planned failover, then a failback, through the deployed functions (audited and notified like',
    'any operator action). Each way it prints every part on its own: request -> change accepted,',
    'accepted -> INSYNC (propagation), INSYNC -> DNS answer observed; then the bound to plan an',
    'unplanned failover with: detection + propagation + TTL. Refuses (exit 1) unless the service is on',
    'a healthy primary with a healthy standby.',
    '--dns-server HOST:PORT   the DNS server to watch (repeatable; default: $FAILOVERCTL_DNS_SERVER, a',
    '                         comma-separated list the local demo sets, else the hosted zone name servers)',
    '--timeout SECONDS        how long to wait for each way (default 300)',
    '--wait SECONDS           stay on the standby this long before failing back (default 0)',
    '--reason TEXT            recorded with both flips (default: "drill")',
  ],
  options: {
    'dns-server': { type: 'string', multiple: true },
    timeout: { type: 'string' },
    wait: { type: 'string' },
    reason: { type: 'string' },
    as: { type: 'string' },
  },
  positionals: ['service'],
  async run(ctx: CliContext, args) {
    const service = ctx.service(servicePositional(args));
    const timeoutMs = integerOption(args.values, 'timeout', { min: 1, max: 3600, fallback: 300 }) * 1000;
    const waitMs = integerOption(args.values, 'wait', { min: 0, max: 3600, fallback: 0 }) * 1000;
    const reason = `drill: ${stringOption(args.values, 'reason') ?? 'failover rehearsal'}`;
    const requestedBy = ctx.requestedBy(stringOption(args.values, 'as'));

    const stored = await ctx.store().load(service.name);
    const refusal = drillRefusal(service, stored?.value ?? null);
    if (refusal !== null) {
      ctx.warn(`Drill refused: ${refusal}`);
      return EXIT_FAILED;
    }
    const [first, standby] = drillTargets(service);
    const read = await ctx.traffic().read(service);
    if (!read.ok) throw new OperationError(`Cannot read the records of ${service.name}: ${read.message}`);
    if (read.reading.active !== first) {
      ctx.warn(
        `Drill refused: Route 53 sends ${service.name} traffic to the ${read.reading.active}, not the ${first}.`,
      );
      return EXIT_FAILED;
    }

    const dnsOption = args.values['dns-server'];
    const fromEnv = Array.isArray(dnsOption) ? [] : envServers(ctx.io.env);
    const servers = Array.isArray(dnsOption)
      ? dnsOption.map(String)
      : fromEnv.length > 0
        ? fromEnv
        : await zoneNameServers(ctx, service.hostedZoneId);
    const watch = await createDnsWatch({
      servers,
      pollMs: DNS_POLL_MS,
      recordName: service.recordName,
      recordType: service.recordType,
      clock: ctx.clock,
    }).catch((error: unknown) => {
      if (fromEnv.length === 0 || !(error instanceof UsageError)) throw error;
      throw new UsageError(`${DNS_SERVER_ENV}=${ctx.io.env[DNS_SERVER_ENV]}: ${error.message}`, {
        cause: error,
      });
    });
    const before = await watch.answer();
    ctx.print(
      `Drill of ${service.name}: watching ${service.recordName} ${service.recordType} at ${servers.join(', ')}${fromEnv.length > 0 ? ` (from ${DNS_SERVER_ENV})` : ''}`,
    );
    ctx.print(`  DNS answers now: ${before.join(', ') || 'nothing'}`);

    const leg = (direction: Direction, expected: readonly string[], from: readonly string[]) =>
      runLeg(ctx, watch, { direction, service, reason, requestedBy, expected, from, timeoutMs });
    // Without `to`, the failover goes to the second target and the failback to the first.
    const there = await leg('failover', recordAnswer(read.reading, standby), before);
    if (!there.ok) return EXIT_FAILED;
    const onStandby = await watch.answer();
    if (waitMs > 0) {
      ctx.print(`  staying on the standby for ${duration(waitMs)}...`);
      await ctx.clock.sleep(waitMs);
    }
    const back = await leg('failback', recordAnswer(read.reading, first), onStandby);
    ctx.print();
    ctx.print(
      `Timings of the drill of ${service.name}, each part on its own (accepted and INSYNC by the function's clock; INSYNC is seen at a GetChange poll, 1 to 5 s apart, so it may be seen that much late):`,
    );
    const column = (result: LegResult, pick: (parts: LegParts) => string) =>
      result.ok ? pick(result.parts) : '-';
    const timings = table([
      ['', 'failover', 'failback'],
      ...PART_ROWS.map(([label, pick]) => [label, column(there, pick), column(back, pick)]),
    ]);
    for (const line of timings) ctx.print(line);
    for (const line of planningLines(service, read.reading, [there, back])) ctx.print(line);
    if (!back.ok) {
      ctx.warn(
        `TRAFFIC IS STILL ON THE STANDBY of ${service.name}: fail back with 'failoverctl failback ${service.name}'.`,
      );
      return EXIT_FAILED;
    }
    const timedOut = there.parts.dnsAt === null || back.parts.dnsAt === null;
    ctx.print(`Traffic is back on the ${first} of ${service.name} (epoch ${back.response.epoch ?? '?'}).`);
    if (timedOut) ctx.warn(`The DNS answer did not move within ${duration(timeoutMs)} on at least one way.`);
    return timedOut ? EXIT_FAILED : EXIT_OK;
  },
};

/** The two targets a drill moves between: the first (`primary`) and the standby after it. */
function drillTargets(service: ServiceConfig): readonly [TargetId, TargetId] {
  const [first, standby] = targetOrder(service);
  // The configuration never has fewer than two targets; a bug if it does.
  if (first === undefined || standby === undefined) {
    throw new OperationError(`${service.name} has fewer than two targets: there is nothing to drill.`);
  }
  return [first, standby];
}

/** Why a drill must not start now, or null. */
export function drillRefusal(service: ServiceConfig, state: ServiceState | null): string | null {
  const name = service.name;
  if (state === null)
    return `the controller has not recorded ${name} yet (the watchdog writes it on its first run).`;
  const [first, standby] = drillTargets(service);
  const phase = phaseOf(state, targetOrder(service));
  if (phase !== `${first}-active`) return `${name} is ${phase}, not on its ${first}.`;
  const primary = healthOf(state, first).status;
  if (primary !== 'up') return `the ${first} of ${name} is ${primary}, not up.`;
  const secondary = healthOf(state, standby).status;
  if (secondary !== 'up') {
    return `the standby of ${name} is ${secondary}, not up: the failover would be refused.`;
  }
  if (state.hold !== null) {
    return `${name} has a ${state.hold.kind} hold by ${state.hold.by} (${state.hold.reason}); release it first.`;
  }
  return null;
}

interface LegPlan {
  readonly direction: Direction;
  readonly service: ServiceConfig;
  readonly reason: string;
  readonly requestedBy: string;
  /** The answer once traffic moved (empty: unknown, e.g. alias records: any change from `from`). */
  readonly expected: readonly string[];
  readonly from: readonly string[];
  readonly timeoutMs: number;
}

/** The moments of one way, in ms from the request; null: not seen before the deadline. */
interface LegParts {
  readonly acceptedAt: number | null;
  readonly inSyncAt: number | null;
  readonly dnsAt: number | null;
  readonly answeredAt: number;
}

type LegResult =
  | { readonly ok: false; readonly response: FlipResponse | null }
  | { readonly ok: true; readonly response: FlipResponse; readonly parts: LegParts };

/**
 * The rows of the timings table: each part from the moment before it, so a slow propagation is not
 * hidden in a total. On Route 53 some name servers may answer the new records before the change is
 * INSYNC on all of them, and INSYNC is only seen at the next GetChange poll, so the DNS part can come
 * before INSYNC (shown as `… earlier`).
 */
const PART_ROWS: readonly (readonly [string, (parts: LegParts) => string])[] = [
  ['request -> change accepted', (p) => since(0, p.acceptedAt)],
  ['accepted -> INSYNC seen (propagation)', (p) => since(p.acceptedAt, p.inSyncAt)],
  ['INSYNC seen -> DNS answer moved', (p) => since(p.inSyncAt, p.dnsAt)],
  ['request -> DNS answer moved', (p) => since(0, p.dnsAt)],
  ['request -> function answered', (p) => since(0, p.answeredAt)],
];

function since(from: number | null, to: number | null): string {
  if (to === null) return 'timeout';
  if (from === null) return '-';
  return to >= from ? duration(to - from) : `${duration(from - to)} earlier`;
}

/**
 * What a drill cannot show but a plan needs: a planned flip skips detection, and resolvers keep the
 * old answer up to the record's TTL after the authoritative answer moved. The bound to plan an
 * unplanned failover with is detection + propagation + TTL (Route 53's own health checks: interval x
 * failure threshold + TTL, with no propagation: they act in the DNS data plane).
 */
function planningLines(
  service: ServiceConfig,
  reading: TrafficReading,
  legs: readonly LegResult[],
): string[] {
  const { failureThreshold, probeIntervalSeconds } = service.policy;
  const [first] = targetOrder(service);
  const checks = first === undefined ? [] : targetOf(service, first).checks;
  const timeoutMs = Math.max(0, ...checks.map((check) => check.timeoutMs));
  const detectionMs = failureThreshold * probeIntervalSeconds * 1000 + timeoutMs;
  const ttls = Object.values(reading.sets).flatMap((set) => (typeof set.TTL === 'number' ? [set.TTL] : []));
  const ttlSeconds = ttls.length > 0 ? Math.max(...ttls) : null;
  const propagations = legs.flatMap((leg) =>
    leg.ok && leg.parts.acceptedAt !== null && leg.parts.inSyncAt !== null
      ? [leg.parts.inSyncAt - leg.parts.acceptedAt]
      : [],
  );
  const propagationMs = propagations.length > 0 ? Math.max(...propagations) : null;
  const ttlText = ttlSeconds === null ? "the alias target's TTL" : `TTL ${ttlSeconds} s`;
  const lines = [
    `Resolvers may keep the old answer for up to the record's ${ttlText} after the DNS answer moved.`,
    `An unplanned failover adds detection first: up to failureThreshold ${failureThreshold} x probeIntervalSeconds ${probeIntervalSeconds} s + check timeout ${duration(timeoutMs)} = ${duration(detectionMs)}.`,
  ];
  if (propagationMs !== null && ttlSeconds !== null) {
    lines.push(
      `Bound to plan an unplanned failover of ${service.name} with: detection ${duration(detectionMs)} + propagation ${duration(propagationMs)} (the slower way here; Route 53 documents "generally within 60 s") + ${ttlText} = ${duration(detectionMs + propagationMs + ttlSeconds * 1000)}.`,
    );
  }
  return lines;
}

async function runLeg(ctx: CliContext, watch: DnsWatch, plan: LegPlan): Promise<LegResult> {
  const { clock } = ctx;
  const sentAt = clock.now();
  const deadline = sentAt + plan.timeoutMs;
  const stop = new AbortController();
  const signal = ctx.io.signal ? AbortSignal.any([stop.signal, ctx.io.signal]) : stop.signal;
  const moved = (answer: readonly string[]) =>
    plan.expected.length > 0
      ? sameAnswer(answer, plan.expected)
      : answer.length > 0 && !sameAnswer(answer, plan.from);
  const dnsSeen = watch.waitFor(moved, deadline, signal);
  ctx.print();
  ctx.print(`${plan.direction}: request sent`);
  let response: FlipResponse;
  try {
    response = asFlipResponse(
      await invokeFunction(ctx, plan.direction, {
        service: plan.service.name,
        reason: plan.reason,
        requestedBy: plan.requestedBy,
      }),
    );
  } catch (error) {
    stop.abort();
    await dnsSeen;
    throw error;
  }
  const answeredAt = clock.now();
  for (const line of describeFlip(response)) ctx.print(`  ${line}`);
  const done = plan.direction === 'failover' ? 'failed-over' : 'failed-back';
  if (response.outcome !== done) {
    stop.abort();
    await dnsSeen;
    return { ok: false, response };
  }
  let inSyncAt = response.timings?.inSyncAt;
  if (inSyncAt === undefined && response.changeId) {
    const status = await ctx.traffic().waitInSync(response.changeId, deadline);
    if (status === 'INSYNC') inSyncAt = clock.now();
  }
  const seenAt = await dnsSeen;
  const from = (at: number | null | undefined) => (at === undefined || at === null ? null : at - sentAt);
  return {
    ok: true,
    response,
    parts: {
      acceptedAt: from(response.timings?.changeAcceptedAt),
      inSyncAt: from(inSyncAt),
      dnsAt: from(seenAt),
      answeredAt: answeredAt - sentAt,
    },
  };
}

function sameAnswer(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/** What DNS answers for a target's weighted set once it is the only one with weight: its values, normalized. */
function recordAnswer(reading: TrafficReading, target: TargetId): string[] {
  const set: WeightedRecordSet | undefined = reading.sets[target];
  if (set === undefined) return [];
  const records = set.ResourceRecords;
  if (!Array.isArray(records)) return [];
  return normalizeAnswer(
    records.flatMap((r: unknown) =>
      typeof r === 'object' && r !== null && 'Value' in r ? [String(r.Value)] : [],
    ),
  );
}

/** `$FAILOVERCTL_DNS_SERVER` as a list (`host:port[,host:port...]`); empty when unset. */
function envServers(env: NodeJS.ProcessEnv): string[] {
  return (env[DNS_SERVER_ENV] ?? '')
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server !== '');
}

async function zoneNameServers(ctx: CliContext, hostedZoneId: string): Promise<string[]> {
  const zone = await ctx.route53().send(new GetHostedZoneCommand({ Id: hostedZoneId }));
  const servers = zone.DelegationSet?.NameServers ?? [];
  if (servers.length === 0) {
    throw new OperationError(
      `Hosted zone ${hostedZoneId} lists no name servers: pass --dns-server host:port (or set ${DNS_SERVER_ENV}).`,
    );
  }
  return servers;
}
