/**
 * The two-target engine as it was before issue #19 (`git show 5fbe455:shared/domain/decide.ts`,
 * `failover-rules.ts`, `failback-rules.ts`, `round.ts`, `reasons.ts`), kept as a test oracle: with
 * targets named `primary` and `secondary`, the one-rule-set engine must decide exactly what this
 * did — the same moves, notices, texts and next state. Frozen on purpose: do not "fix" it.
 * Only what did not change is imported (target hysteresis, flip timing, `describeTarget`).
 */
import type { Policy } from '../../shared/domain/config.ts';
import {
  CLOCK_ALLOWANCE_MS,
  dwellPassed,
  flapLimitReached,
  pendingTimeoutMs,
  pruneFlapWindow,
} from '../../shared/domain/flip-timing.ts';
import { describeTarget, formatDuration, resendReason } from '../../shared/domain/reasons.ts';
import {
  type AnnouncedCondition,
  type CheckResult,
  healthOf,
  type Observation,
  type ServiceState,
  type TargetHealth,
} from '../../shared/domain/state.ts';
import { observeTarget } from '../../shared/domain/target-health.ts';

export type Phase = 'primary-active' | 'failing-over' | 'secondary-active' | 'failing-back';

/** The old state item: a phase and two named targets instead of `active`, `moving` and `targets`. */
export interface LegacyState extends Omit<ServiceState, 'active' | 'moving' | 'targets'> {
  readonly phase: Phase;
  readonly pendingSince: number | null;
  readonly primary: TargetHealth;
  readonly secondary: TargetHealth;
}

interface LegacyEvidence {
  readonly primary: readonly CheckResult[];
  readonly secondary: readonly CheckResult[];
}

export type LegacyAction =
  | {
      readonly type: 'failover' | 'failback';
      readonly epoch: number;
      readonly reason: string;
      readonly evidence: LegacyEvidence;
    }
  | {
      readonly type: 'notify' | 'alert';
      readonly event: AnnouncedCondition;
      readonly message: string;
      readonly evidence: LegacyEvidence;
    };

interface Notice {
  readonly condition: AnnouncedCondition;
  readonly type: 'notify' | 'alert';
  readonly message: string;
}

interface Round {
  readonly state: LegacyState;
  readonly policy: Policy;
  readonly now: number;
  readonly evidence: LegacyEvidence;
}

interface Verdict {
  readonly next: LegacyState;
  readonly flip: LegacyAction | null;
  readonly notices: readonly Notice[];
}

type StateChanges = Partial<Pick<LegacyState, 'phase' | 'pendingSince' | 'autoFailbacks' | 'frozen'>>;

/** A two-target state of the new model in the old shape; null where the old shape cannot say it. */
export function toLegacy(state: ServiceState): LegacyState | null {
  const { active, moving, targets: _targets, ...rest } = state;
  const phase = phaseOf(active, moving?.to ?? null);
  if (phase === null) return null;
  return {
    ...rest,
    phase,
    pendingSince: moving?.since ?? null,
    primary: healthOf(state, 'primary'),
    secondary: healthOf(state, 'secondary'),
  };
}

function phaseOf(active: string, to: string | null): Phase | null {
  if (active === 'primary')
    return to === null ? 'primary-active' : to === 'secondary' ? 'failing-over' : null;
  if (active === 'secondary')
    return to === null ? 'secondary-active' : to === 'primary' ? 'failing-back' : null;
  return null;
}

// ---- reasons.ts (old) ---------------------------------------------------------------------------

function describeTargets(state: LegacyState, policy: Policy, now: number): string {
  return `${describeTarget('primary', state.primary, policy, now)}; ${describeTarget('secondary', state.secondary, policy, now)}`;
}

function automationBlocked(state: LegacyState): string | null {
  const blockers: string[] = [];
  if (state.paused) blockers.push('automation is paused');
  if (state.hold !== null)
    blockers.push(`held by ${state.hold.by} (${state.hold.kind}: ${state.hold.reason})`);
  return blockers.length === 0 ? null : blockers.join(' and ');
}

function sinceLastFlip(state: LegacyState, now: number): string {
  return state.lastFlipAt === null
    ? 'no flip recorded'
    : `${formatDuration(now - state.lastFlipAt)} since the last flip`;
}

function failbackReason(state: LegacyState, policy: Policy, now: number): string {
  const primary = describeTarget('primary', state.primary, policy, now, { detailed: true });
  return `${primary}; ${sinceLastFlip(state, now)}; ${describeTarget('secondary', state.secondary, policy, now)}`;
}

function emergencyFailbackReason(state: LegacyState, policy: Policy, now: number): string {
  const secondary = describeTarget('secondary', state.secondary, policy, now);
  return `${secondary}; primary up: failing back now, whatever the dwell, failback policy or flap freeze`;
}

function bothDownMessage(state: LegacyState, policy: Policy, now: number, active: string): string {
  return `both targets down: ${describeTargets(state, policy, now)}; traffic stays on the ${active} (fail static)`;
}

function flipBlockedMessage(
  state: LegacyState,
  policy: Policy,
  now: number,
  type: 'failover' | 'failback',
  blocker: string,
): string {
  const targets =
    type === 'failover'
      ? describeTargets(state, policy, now)
      : `${describeTarget('secondary', state.secondary, policy, now)}; primary up`;
  return `${targets}; not ${type === 'failover' ? 'failing over' : 'failing back'}: ${blocker}`;
}

function failbackReadyMessage(state: LegacyState, policy: Policy, now: number, why: string): string {
  const primary = describeTarget('primary', state.primary, policy, now, { detailed: true });
  return `failback ready: ${primary}; ${sinceLastFlip(state, now)}; not failing back automatically: ${why}`;
}

// The one deliberate change of issue #19: the old text always said "the secondary", also when a
// freeze was announced while traffic was on the primary (after an emergency failback). It now
// names where traffic is; the oracle follows, so every other difference still fails.
function frozenMessage(state: LegacyState, policy: Policy): string {
  const active = state.phase === 'primary-active' || state.phase === 'failing-over' ? 'primary' : 'secondary';
  return (
    `automatic failback frozen: ${state.autoFailbacks.length} automatic failbacks within the last hour ` +
    `(limit ${policy.maxAutoFailbacksPerHour}); traffic stays on the ${active} until an operator fails back by hand`
  );
}

// ---- round.ts (old) -----------------------------------------------------------------------------

function stay(round: Round, changes: StateChanges = {}): Verdict {
  return { next: { ...round.state, ...changes }, flip: null, notices: [] };
}

function announce(round: Round, notice: Notice): Verdict {
  return { next: round.state, flip: null, notices: [notice] };
}

function flip(round: Round, type: 'failover' | 'failback', changes: StateChanges, reason: string): Verdict {
  return {
    next: { ...round.state, ...changes },
    flip: { type, epoch: round.state.epoch, reason, evidence: round.evidence },
    notices: [],
  };
}

function inPhase(round: Round, phase: Phase): Round {
  return { ...round, state: { ...round.state, phase, pendingSince: null } };
}

function awaitFlip(round: Round, type: 'failover' | 'failback', why: string): Verdict {
  const { state, now, policy } = round;
  const since = state.pendingSince;
  // The one change made to the frozen engine: another machine's clock within CLOCK_ALLOWANCE_MS
  // (issue #11) is not a clock jump.
  if (since === null || since > now + CLOCK_ALLOWANCE_MS) return stay(round, { pendingSince: now });
  const waited = now - since;
  if (waited < pendingTimeoutMs(policy)) return stay(round);
  return flip(round, type, { pendingSince: now }, resendReason(type, state.epoch, waited, why));
}

// ---- failover-rules.ts (old) --------------------------------------------------------------------

function decidePrimaryActive(round: Round): Verdict {
  const { state, policy, now } = round;
  if (state.primary.status !== 'down') return stay(round);
  if (state.secondary.status === 'down') {
    return announce(round, {
      condition: 'both-down',
      type: 'alert',
      message: bothDownMessage(state, policy, now, 'primary'),
    });
  }
  if (state.secondary.status !== 'up') return stay(round);
  const blocker = automationBlocked(state);
  if (blocker !== null) {
    return announce(round, {
      condition: 'failover-blocked',
      type: 'alert',
      message: flipBlockedMessage(state, policy, now, 'failover', blocker),
    });
  }
  return flip(
    round,
    'failover',
    { phase: 'failing-over', pendingSince: now },
    describeTargets(state, policy, now),
  );
}

function decideFailingOver(round: Round): Verdict {
  const { state, policy, now } = round;
  const wanted =
    state.primary.status === 'down' && state.secondary.status === 'up' && automationBlocked(state) === null;
  if (!wanted) return decidePrimaryActive(inPhase(round, 'primary-active'));
  return awaitFlip(round, 'failover', describeTargets(state, policy, now));
}

// ---- failback-rules.ts (old) --------------------------------------------------------------------

function decideSecondaryActive(round: Round): Verdict {
  const { state, policy, now } = round;
  if (state.secondary.status === 'down') return decideSecondaryDown(round);
  if (state.primary.status !== 'up' || !dwellPassed(state.lastFlipAt, policy, now)) return stay(round);
  const blocker = automationBlocked(state) ?? (policy.failback === 'manual' ? 'failback is manual' : null);
  if (blocker !== null) {
    return announce(round, {
      condition: 'failback-ready',
      type: 'notify',
      message: failbackReadyMessage(state, policy, now, blocker),
    });
  }
  if (state.frozen) return stay(round);
  if (flapLimitReached(state.autoFailbacks, policy)) return stay(round, { frozen: true });
  return flip(
    round,
    'failback',
    { phase: 'failing-back', pendingSince: now, autoFailbacks: [...state.autoFailbacks, now] },
    failbackReason(state, policy, now),
  );
}

function decideSecondaryDown(round: Round): Verdict {
  const { state, policy, now } = round;
  if (state.primary.status === 'down') {
    return announce(round, {
      condition: 'both-down',
      type: 'alert',
      message: bothDownMessage(state, policy, now, 'secondary'),
    });
  }
  if (state.primary.status !== 'up') return stay(round);
  const blocker = automationBlocked(state);
  if (blocker !== null) {
    return announce(round, {
      condition: 'failover-blocked',
      type: 'alert',
      message: flipBlockedMessage(state, policy, now, 'failback', blocker),
    });
  }
  return flip(
    round,
    'failback',
    { phase: 'failing-back', pendingSince: now },
    emergencyFailbackReason(state, policy, now),
  );
}

function decideFailingBack(round: Round): Verdict {
  const { state, policy, now } = round;
  const wanted = state.primary.status === 'up' && automationBlocked(state) === null;
  if (!wanted) return decideSecondaryActive(inPhase(round, 'secondary-active'));
  const why =
    state.secondary.status === 'down'
      ? emergencyFailbackReason(state, policy, now)
      : failbackReason(state, policy, now);
  return awaitFlip(round, 'failback', why);
}

// ---- decide.ts (old) ----------------------------------------------------------------------------

const RULES: Readonly<Record<Phase, (round: Round) => Verdict>> = {
  'primary-active': decidePrimaryActive,
  'failing-over': decideFailingOver,
  'secondary-active': decideSecondaryActive,
  'failing-back': decideFailingBack,
};

const CONDITIONS: readonly AnnouncedCondition[] = [
  'both-down',
  'failover-blocked',
  'failback-ready',
  'flapping-frozen',
];

/** The old `decide(state, observation, policy, now)`, the observation read by target name. */
export function legacyDecide(
  state: LegacyState,
  observation: Observation,
  policy: Policy,
  now: number,
): { readonly next: LegacyState; readonly actions: LegacyAction[] } {
  const primary = observation.targets.primary ?? { ok: false, checks: [] };
  const secondary = observation.targets.secondary ?? { ok: false, checks: [] };
  const evidence: LegacyEvidence = { primary: primary.checks, secondary: secondary.checks };
  const round: Round = {
    state: {
      ...state,
      primary: observeTarget(state.primary, primary, policy, now),
      secondary: observeTarget(state.secondary, secondary, policy, now),
      autoFailbacks: pruneFlapWindow(state.autoFailbacks, now),
    },
    policy,
    now,
    evidence,
  };
  const verdict = RULES[state.phase](round);
  const notices: readonly Notice[] = verdict.next.frozen
    ? [
        ...verdict.notices,
        { condition: 'flapping-frozen', type: 'alert', message: frozenMessage(verdict.next, policy) },
      ]
    : verdict.notices;
  const actions: LegacyAction[] = verdict.flip === null ? [] : [verdict.flip];
  for (const notice of notices) {
    if (state.announced.includes(notice.condition)) continue;
    actions.push({ type: notice.type, event: notice.condition, message: notice.message, evidence });
  }
  const holding = CONDITIONS.filter((condition) => notices.some((notice) => notice.condition === condition));
  const unchanged =
    holding.length === state.announced.length &&
    holding.every((condition, i) => state.announced[i] === condition);
  return { next: { ...verdict.next, announced: unchanged ? state.announced : holding }, actions };
}
