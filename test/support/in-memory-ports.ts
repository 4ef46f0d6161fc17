/**
 * Small in-memory implementations of the ports for use-case unit tests. They keep the real
 * semantics that matter (optimistic versions, compare-and-swap on records) so a use case cannot
 * pass here and fail against DynamoDB or Route 53 for those reasons.
 */
import type { ServiceConfig, TargetName } from '../../shared/domain/config.ts';
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

/** Weighted pairs kept in memory; `flip` is a compare-and-swap on the weights as read. */
export class MemoryTraffic implements TrafficSwitch {
  readonly weights = new Map<string, { primary: number; secondary: number }>();
  changes = 0;

  constructor(services: readonly ServiceConfig[]) {
    for (const s of services) this.weights.set(s.name, { primary: s.activeWeight, secondary: 0 });
  }
  reading(service: ServiceConfig): TrafficReading {
    const w = this.weights.get(service.name) ?? { primary: 100, secondary: 0 };
    const set = (target: TargetName) => ({
      Name: service.recordName,
      Type: service.recordType,
      SetIdentifier: service[target].setIdentifier,
      Weight: w[target],
      TTL: 30,
      ResourceRecords: [{ Value: `${target}.example.net` }],
    });
    return {
      service: service.name,
      active: w.primary > 0 ? 'primary' : 'secondary',
      primary: set('primary'),
      secondary: set('secondary'),
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

  async flip(service: ServiceConfig, to: TargetName, expected: TrafficReading): Promise<FlipResult> {
    const now = this.reading(service);
    if (this.failing !== null) {
      return {
        outcome: 'error',
        message: `Service "${service.name}": Route 53 refused the flip to ${to}: ServiceUnavailable (HTTP 503).`,
        found: { ok: true, reading: now },
        applied: this.failing,
      };
    }
    if (
      now.primary.Weight !== expected.primary.Weight ||
      now.secondary.Weight !== expected.secondary.Weight
    ) {
      return { outcome: 'changed-underneath', found: { ok: true, reading: now } };
    }
    this.weights.set(service.name, {
      primary: to === 'primary' ? service.activeWeight : 0,
      secondary: to === 'secondary' ? service.activeWeight : 0,
    });
    this.changes++;
    return { outcome: 'flipped', changeId: `C${this.changes}`, reading: this.reading(service) };
  }
  async waitInSync(): Promise<'INSYNC' | 'timeout'> {
    return 'INSYNC';
  }
  /** Someone edits the weights by hand. */
  handEdit(service: string, active: TargetName, weight = 100) {
    this.weights.set(service, {
      primary: active === 'primary' ? weight : 0,
      secondary: active === 'secondary' ? weight : 0,
    });
  }
}

/** Health per service and target, set by the test. */
export class ScriptedProber implements Prober {
  readonly health = new Map<string, boolean>();
  probes = 0;

  set(service: string, target: TargetName, ok: boolean) {
    this.health.set(`${service}/${target}`, ok);
  }
  target(service: string, target: TargetName): TargetObservation {
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
        { at: 0, primary: this.target(s.name, 'primary'), secondary: this.target(s.name, 'secondary') },
      ]),
    );
  }
  async probeTarget(service: ServiceConfig, target: TargetName) {
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
