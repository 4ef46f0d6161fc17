/**
 * Small in-memory implementations of the ports for use-case unit tests. They keep the real
 * semantics that matter (optimistic versions, compare-and-swap on records) so a use case cannot
 * pass here and fail against DynamoDB or Route 53 for those reasons.
 */
import { type ServiceConfig, type TargetId, targetOrder } from '../../shared/domain/config.ts';
import type { AuditEvent } from '../../shared/domain/events.ts';
import type {
  Clock,
  DeliveryReport,
  FlipResult,
  Notification,
  Notifier,
  Prober,
  ReadResult,
  SaveResult,
  StateStore,
  TrafficReading,
  TrafficSwitch,
  Versioned,
  ZoneFlip,
} from '../../shared/domain/ports.ts';
import type { Observation, ServiceState, TargetObservation } from '../../shared/domain/state.ts';

export class MemoryStore implements StateStore {
  readonly items = new Map<string, Versioned<ServiceState>>();
  readonly audit: AuditEvent[] = [];
  writes = 0;

  async loadAll(services: readonly string[]) {
    return new Map(
      services.flatMap((s) => (this.items.has(s) ? [[s, this.items.get(s) as Versioned<ServiceState>]] : [])),
    );
  }
  async load(service: string) {
    return this.items.get(service) ?? null;
  }
  async save(state: ServiceState, expectedVersion: number | null): Promise<SaveResult> {
    const current = this.items.get(state.service) ?? null;
    if ((current?.version ?? null) !== expectedVersion) return { ok: false, reason: 'conflict', current };
    const version = (expectedVersion ?? 0) + 1;
    this.items.set(state.service, { value: structuredClone(state), version });
    this.writes++;
    return { ok: true, version };
  }
  async appendAudit(event: AuditEvent) {
    this.audit.push(event);
  }
  async history(service: string, limit: number) {
    return this.audit
      .filter((e) => e.service === service)
      .reverse()
      .slice(0, limit);
  }
}

/** Weighted sets kept in memory, one per target; `flip` is a compare-and-swap on the weights as read. */
export class MemoryTraffic implements TrafficSwitch {
  /** The weight of each target's record, by service and target id. */
  readonly weights = new Map<string, Record<TargetId, number>>();
  changes = 0;

  constructor(services: readonly ServiceConfig[]) {
    for (const s of services)
      this.weights.set(s.name, weightsFor(targetOrder(s), targetOrder(s)[0] ?? '', s.activeWeight));
  }
  reading(service: ServiceConfig): TrafficReading {
    const order = targetOrder(service);
    const w = this.weights.get(service.name) ?? weightsFor(order, order[0] ?? '', 100);
    const sets = Object.fromEntries(
      service.targets.map((target) => [
        target.id,
        {
          Name: service.recordName,
          Type: service.recordType,
          SetIdentifier: target.setIdentifier,
          Weight: w[target.id] ?? 0,
          TTL: 30,
          ResourceRecords: [{ Value: `${target.id}.example.net` }],
        },
      ]),
    );
    return {
      service: service.name,
      active: order.find((id) => (w[id] ?? 0) > 0) ?? order[0] ?? '',
      sets,
    };
  }
  async read(service: ServiceConfig): Promise<ReadResult> {
    return { ok: true, reading: this.reading(service) };
  }
  async readAll(services: readonly ServiceConfig[]) {
    return new Map(services.map((s) => [s.name, { ok: true as const, reading: this.reading(s) }]));
  }
  /** While set, every change fails: `no` as Route 53 refusing it, `unknown` as an unanswered call. */
  failing: 'no' | 'unknown' | null = null;

  async flip(service: ServiceConfig, to: TargetId, expected: TrafficReading): Promise<FlipResult> {
    const now = this.reading(service);
    if (this.failing !== null) {
      return {
        outcome: 'error',
        message: `Service "${service.name}": Route 53 refused the flip to ${to}: ServiceUnavailable (HTTP 503).`,
        found: { ok: true, reading: now },
        applied: this.failing,
      };
    }
    const order = targetOrder(service);
    if (order.some((id) => now.sets[id]?.Weight !== expected.sets[id]?.Weight)) {
      return { outcome: 'changed-underneath', found: { ok: true, reading: now } };
    }
    this.weights.set(service.name, weightsFor(order, to, service.activeWeight));
    this.changes++;
    return { outcome: 'flipped', changeId: `C${this.changes}`, reading: this.reading(service) };
  }
  /** Change calls `flipMany` made: one per hosted zone that had a service to move. */
  batches = 0;

  /** As the Route 53 switch: each service judged on its own, one change per zone with a move. */
  async flipMany(flips: readonly ZoneFlip[]): Promise<Map<string, FlipResult>> {
    const results = new Map<string, FlipResult>();
    const zones = new Set<string>();
    for (const { service, to, expected } of flips) {
      const result = await this.flip(service, to, expected);
      if (result.outcome === 'flipped') zones.add(service.hostedZoneId);
      results.set(service.name, result);
    }
    this.batches += zones.size;
    return results;
  }
  async waitInSync(): Promise<'INSYNC' | 'timeout'> {
    return 'INSYNC';
  }
  /** Someone edits the weights by hand: `active` gets `weight`, every other target 0. */
  handEdit(service: string, active: TargetId, weight = 100) {
    const order = Object.keys(this.weights.get(service) ?? { primary: 0, secondary: 0 });
    this.weights.set(service, weightsFor(order, active, weight));
  }
}

function weightsFor(order: readonly TargetId[], active: TargetId, weight: number): Record<TargetId, number> {
  return Object.fromEntries(order.map((id) => [id, id === active ? weight : 0]));
}

/** Health per service and target, set by the test. */
export class ScriptedProber implements Prober {
  readonly health = new Map<string, boolean>();
  probes = 0;

  set(service: string, target: TargetId, ok: boolean) {
    this.health.set(`${service}/${target}`, ok);
  }
  target(service: string, target: TargetId): TargetObservation {
    const ok = this.health.get(`${service}/${target}`) ?? true;
    return {
      ok,
      checks: [
        {
          check: `http GET https://${target}/health`,
          ok,
          latencyMs: 5,
          reason: ok ? 'status 200' : 'status 503 not in [2xx]',
        },
      ],
    };
  }
  async probeServices(services: readonly ServiceConfig[]) {
    this.probes++;
    return new Map<string, Observation>(
      services.map((s) => [
        s.name,
        {
          at: 0,
          targets: Object.fromEntries(targetOrder(s).map((id) => [id, this.target(s.name, id)])),
        },
      ]),
    );
  }
  async probeTarget(service: ServiceConfig, target: TargetId) {
    this.probes++;
    return this.target(service.name, target);
  }
}

export class RecordingNotifier implements Notifier {
  readonly sent: Notification[] = [];
  async notify(notification: Notification): Promise<DeliveryReport[]> {
    this.sent.push(notification);
    return [{ channel: 'test/webhook', ok: true, attempts: 1 }];
  }
}

export class ManualClock implements Clock {
  time: number;
  constructor(time = Date.UTC(2026, 10, 26, 12)) {
    this.time = time;
  }
  now() {
    return this.time;
  }
  async sleep(ms: number) {
    this.time += ms;
  }
}
