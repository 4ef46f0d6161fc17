import type { TargetId } from './config.ts';
import type { RampStep } from './ramp.ts';
import type { CheckResult } from './state.ts';

/** What people are told about. Each becomes a notification (issue: telling people). */
export type EventKind =
  | 'failover'
  | 'failback'
  /** A gradual failback began: its first step landed (issue #13). */
  | 'failback-started'
  /** A gradual failback was rolled back: all traffic is on the standby again (pages like a failover). */
  | 'failback-rolled-back'
  | 'failback-ready'
  | 'both-down'
  | 'flapping-frozen'
  | 'reconciled'
  | 'failover-refused'
  /** A failback was asked for, but the primary failed its re-check right before the flip. */
  | 'failback-refused'
  /** Route 53 did not take a failover (or its function never reported back): nothing moved. */
  | 'failover-failed'
  /** The same for a failback: traffic stays on the standby. */
  | 'failback-failed'
  /** The primary is down and the standby up, but automation is paused or held: a human must act. */
  | 'failover-blocked'
  | 'planned-failover'
  /** An operator paused or resumed automation for a service (failoverctl pause / resume). */
  | 'paused'
  | 'resumed'
  /** Fewer fresh vantages vote than the quorum needs (issue #11): automation holds still. */
  | 'quorum-lost'
  /** A vantage sees a target otherwise than the quorum does: nothing moves; worth a look. */
  | 'vantage-disagrees'
  /** A vantage reaches neither target nor the canary: it abstains until it sees again. */
  | 'vantage-blind'
  /** Active-active: a DOWN target was not drained, a drain would leave too few UP (`minHealthyTargets`). */
  | 'drain-refused';

/** The last probe results of each target, by id: why a decision was made. */
export type Evidence = Readonly<Record<TargetId, readonly CheckResult[]>>;

/** Invoke the failover or failback function for a decision made on `epoch`. */
export interface FlipAction {
  /** `failback`: to a more preferred target than the active one; `failover`: to a less preferred one. */
  readonly type: 'failover' | 'failback';
  /** Where the traffic goes. */
  readonly to: TargetId;
  /** The epoch the decision was made on; the flip function refuses any other. */
  readonly epoch: number;
  readonly reason: string;
  readonly evidence: Evidence;
  /** A step of a ramped failback (issue #13); absent when all the traffic moves. */
  readonly step?: RampStep;
  /** Active-active (issue #13 item 3): the whole weight map to write, as one compare-and-swap. */
  readonly weights?: Readonly<Record<TargetId, number>>;
}

/** Tell people (Slack, PagerDuty, webhook, SNS). `alert` is the paging kind. */
export interface NoticeAction {
  readonly type: 'notify' | 'alert';
  readonly event: EventKind;
  readonly message: string;
  readonly evidence: Evidence;
}

/** What `decide` asks the watchdog to carry out. */
export type Action = FlipAction | NoticeAction;

export function isFlipAction(action: Action): action is FlipAction {
  return action.type === 'failover' || action.type === 'failback';
}

/** One audit-trail entry; newest first per service. */
export interface AuditEvent {
  readonly service: string;
  /** Epoch ms. */
  readonly at: number;
  /** Deterministic id (makes the put idempotent), unique per service. */
  readonly id: string;
  readonly kind: string;
  readonly epoch: number;
  readonly from?: TargetId;
  readonly to?: TargetId;
  readonly reason?: string;
  /** `watchdog` for automatic decisions, else the operator. */
  readonly requestedBy: string;
  readonly outcome?: string;
  readonly changeId?: string;
  readonly evidence?: Evidence;
  /** Follows one decision from the watchdog's round through the flip into logs and notifications. */
  readonly correlationId?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}
