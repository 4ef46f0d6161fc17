/**
 * What one watchdog run keeps while it runs: each service's state as last read or written, the run's
 * report, and the notifications and audit writes still under way (waited for before the run ends,
 * never by a round: telling people must not slow detection).
 */
import { type ServiceConfig, type TargetId, targetOrder } from '../domain/config.ts';
import type { NoticeAction } from '../domain/events.ts';
import type { ServiceState } from '../domain/state.ts';
import { METRIC } from '../telemetry/metric-names.ts';
import { watchdogAdvice } from './advice.ts';
import { once, type ReportDeps, report } from './report.ts';

export interface Tracked {
  readonly config: ServiceConfig;
  state: ServiceState;
  version: number | null;
  nextDue: number;
}

export interface WatchdogReport {
  /** The event was late, or a run scheduled at the same time or later was probing: nothing was done. */
  readonly dropped: boolean;
  /** The run stopped starting rounds because the next scheduled run took over. */
  readonly handedOver: boolean;
  readonly rounds: number;
  readonly writes: number;
  readonly conflicts: number;
  readonly invoked: readonly { fn: 'failover' | 'failback'; service: string; epoch: number }[];
  readonly reconciled: readonly { service: string; kind: string }[];
  readonly notices: readonly { service: string; event: string }[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };

export class Ledger {
  readonly report: Mutable<WatchdogReport> = {
    dropped: false,
    handedOver: false,
    rounds: 0,
    writes: 0,
    conflicts: 0,
    invoked: [],
    reconciled: [],
    notices: [],
  };
  readonly pending: Promise<unknown>[] = [];
  readonly deps: ReportDeps;

  constructor(deps: ReportDeps) {
    this.deps = deps;
  }

  /** Count a conditional write's outcome. */
  wrote(out: { readonly written: boolean; readonly conflicts: number }): void {
    if (out.written) this.report.writes++;
    this.report.conflicts += out.conflicts;
  }

  /**
   * Tell people about a notice, in the background. `route`: where traffic was and is
   * (reconciliation); by default where it is, and for `failback-ready` where it would go.
   */
  notice(
    t: Tracked,
    notice: NoticeAction,
    route?: { from: TargetId; to: TargetId },
    details: Record<string, unknown> = {},
  ): void {
    this.report.notices.push({ service: t.config.name, event: notice.event });
    const advice = watchdogAdvice(t.config, notice.event);
    const active = t.state.active;
    // `failback-ready`: back to the most preferred target (that is where a failback goes).
    const first = targetOrder(t.config)[0] ?? active;
    const where =
      route ?? (notice.event === 'failback-ready' ? { from: active, to: first } : { from: active });
    this.pending.push(
      report(this.deps, {
        service: t.config,
        notification: {
          event: notice.event,
          ...where,
          reason: notice.message,
          requestedBy: 'watchdog',
          epoch: t.state.epoch,
          evidence: notice.evidence,
          severity: notice.type === 'alert' ? advice.severity : 'info',
          next: advice.next,
        },
        audit: {
          kind: route === undefined ? notice.event : 'reconciled',
          epoch: t.state.epoch,
          reason: notice.message,
          requestedBy: 'watchdog',
          details,
        },
        ...(notice.event === 'flapping-frozen' ? { metric: { samples: [once(METRIC.flappingFrozen)] } } : {}),
      }),
    );
  }

  /** Record a decision in the audit trail only, in the background. */
  audit(
    t: Tracked,
    kind: string,
    reason: string,
    extra: { correlationId?: string; evidence?: NoticeAction['evidence'] },
  ): void {
    this.pending.push(
      report(this.deps, {
        service: t.config,
        ...(extra.correlationId ? { correlationId: extra.correlationId } : {}),
        audit: {
          kind,
          epoch: t.state.epoch,
          reason,
          requestedBy: 'watchdog',
          ...(extra.evidence ? { evidence: extra.evidence } : {}),
        },
      }),
    );
  }

  async settle(): Promise<void> {
    await Promise.allSettled(this.pending);
  }
}
