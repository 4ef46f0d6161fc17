/**
 * The human sentences behind every decision: the `reason` of a flip and the `message` of a
 * notice. Short, concrete, and built only from the state, so the same state reads the same.
 * e.g. `primary down for 3 rounds (status 503 not in [200]); secondary up`.
 */
import type { Policy, TargetId } from './config.ts';
import { describeVotes, type Tally } from './quorum.ts';
import { healthOf, type ServiceState, type TargetHealth, type TargetStatus } from './state.ts';

/** At most this many distinct failure reasons are quoted per target. */
const MAX_QUOTED_FAILURES = 3;

/**
 * A duration the way people say it: `45 s`, `12 min`, `2 h 5 min`.
 *
 * @example
 * formatDuration(125_000); // '2 min'
 */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(Number.isFinite(ms) ? ms / 1000 : 0));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

function rounds(n: number): string {
  return n === 1 ? '1 round' : `${n} rounds`;
}

/** The distinct reasons of the failed checks of the last round, e.g. `status 503 not in [200]`. */
export function failureReasons(health: TargetHealth): string {
  const reasons = [...new Set(health.last.filter((check) => !check.ok).map((check) => check.reason))];
  const quoted = reasons.slice(0, MAX_QUOTED_FAILURES).join(', ');
  const more = reasons.length - MAX_QUOTED_FAILURES;
  return more > 0 ? `${quoted} and ${more} more` : quoted;
}

/** How long a target has had its status: rounds at the change (exact), else the time since. */
function howLong(health: TargetHealth, streak: number, now: number): string {
  if (health.since === null || health.since >= now) return rounds(streak);
  return formatDuration(now - health.since);
}

/**
 * One target in one phrase: `primary down for 3 rounds (status 503 not in [200])`,
 * `secondary up`, `primary up for 12 min`, `primary down for 5 min (recovering: 2 of 6 healthy rounds)`.
 *
 * @example
 * describeTarget('primary', state.primary, policy, now, { detailed: true });
 */
export function describeTarget(
  name: TargetId,
  health: TargetHealth,
  policy: Policy,
  now: number,
  options: { readonly detailed: boolean } = { detailed: false },
): string {
  const failures = failureReasons(health);
  const because = failures === '' ? '' : ` (${failures})`;
  switch (health.status) {
    case 'up':
      return options.detailed ? `${name} up for ${howLong(health, health.okStreak, now)}` : `${name} up`;
    case 'down': {
      const since = `${name} down for ${howLong(health, health.failStreak, now)}`;
      if (health.okStreak === 0) return `${since}${because}`;
      return `${since} (recovering: ${health.okStreak} of ${policy.recoveryThreshold} healthy rounds)`;
    }
    case 'unknown':
      return health.failStreak === 0
        ? `${name} not yet known`
        : `${name} not yet known (${health.failStreak} of ${policy.failureThreshold} failed rounds${failures === '' ? '' : `: ${failures}`})`;
  }
}

/** Every target, most preferred first: `primary down for 3 rounds (...); secondary up`. */
export function describeTargets(
  state: ServiceState,
  order: readonly TargetId[],
  policy: Policy,
  now: number,
): string {
  return order.map((id) => describeTarget(id, healthOf(state, id), policy, now)).join('; ');
}

/** What stops automation for the service, e.g. `automation is paused`, or null when nothing does. */
export function automationBlocked(state: ServiceState): string | null {
  const blockers: string[] = [];
  if (state.paused) blockers.push('automation is paused');
  if (state.hold !== null)
    blockers.push(`held by ${state.hold.by} (${state.hold.kind}: ${state.hold.reason})`);
  return blockers.length === 0 ? null : blockers.join(' and ');
}

/** Why traffic leaves a DOWN target for a less preferred one. */
export function failoverReason(
  state: ServiceState,
  order: readonly TargetId[],
  policy: Policy,
  now: number,
): string {
  return describeTargets(state, order, policy, now);
}

/** Why traffic returns to a more preferred target now that it has recovered. */
export function failbackReason(
  state: ServiceState,
  to: TargetId,
  order: readonly TargetId[],
  policy: Policy,
  now: number,
): string {
  const back = describeTarget(to, healthOf(state, to), policy, now, { detailed: true });
  const rest = order
    .filter((id) => id !== to)
    .map((id) => describeTarget(id, healthOf(state, id), policy, now))
    .join('; ');
  return `${back}; ${sinceLastFlip(state, now)}; ${rest}`;
}

/** Why traffic returns to a more preferred target at once: the active one is dead. */
export function emergencyFailbackReason(
  state: ServiceState,
  to: TargetId,
  policy: Policy,
  now: number,
): string {
  const active = describeTarget(state.active, healthOf(state, state.active), policy, now);
  return `${active}; ${to} up: failing back now, whatever the dwell, failback policy or flap freeze`;
}

/** Why a move that was sent and never confirmed is sent again, with the same epoch. */
export function resendReason(
  type: 'failover' | 'failback',
  epoch: number,
  waitedMs: number,
  why: string,
): string {
  return `${type} (epoch ${epoch}) not confirmed after ${formatDuration(waitedMs)}; sending it again: ${why}`;
}

/** Every target is down: nothing moves (fail static). */
export function allDownMessage(
  state: ServiceState,
  order: readonly TargetId[],
  policy: Policy,
  now: number,
): string {
  const all = order.length === 2 ? 'both targets down' : `all ${order.length} targets down`;
  return `${all}: ${describeTargets(state, order, policy, now)}; traffic stays on the ${state.active} (fail static)`;
}

/** A move is needed but an operator pause or hold stops it: a human must act. */
export function flipBlockedMessage(
  state: ServiceState,
  to: TargetId,
  order: readonly TargetId[],
  policy: Policy,
  now: number,
  type: 'failover' | 'failback',
  blocker: string,
): string {
  const targets =
    type === 'failover'
      ? describeTargets(state, order, policy, now)
      : `${describeTarget(state.active, healthOf(state, state.active), policy, now)}; ${to} up`;
  return `${targets}; not ${type === 'failover' ? 'failing over' : 'failing back'}: ${blocker}`;
}

/** A more preferred target is healthy and the dwell has passed, but failback waits for a human. */
export function failbackReadyMessage(
  state: ServiceState,
  to: TargetId,
  policy: Policy,
  now: number,
  why: string,
): string {
  const back = describeTarget(to, healthOf(state, to), policy, now, { detailed: true });
  return `failback ready: ${back}; ${sinceLastFlip(state, now)}; not failing back automatically: ${why}`;
}

/** Automatic failback is frozen by flap damping. */
export function frozenMessage(state: ServiceState, policy: Policy): string {
  return (
    `automatic failback frozen: ${state.autoFailbacks.length} automatic failbacks within the last hour ` +
    `(limit ${policy.maxAutoFailbacksPerHour}); traffic stays on the ${state.active} until an operator fails back by hand`
  );
}

function sinceLastFlip(state: ServiceState, now: number): string {
  return state.lastFlipAt === null
    ? 'no flip recorded'
    : `${formatDuration(now - state.lastFlipAt)} since the last flip`;
}

/**
 * `Only 1 of 3 vantages votes (us-east-1); a quorum needs 2: us-east-2 abstains (silent), ...`
 *
 * @example
 * quorumLostMessage(count);
 */
export function quorumLostMessage(count: Tally): string {
  const voting = count.voters.map((vote) => vote.vantage);
  const who = voting.length === 0 ? 'none' : voting.join(', ');
  const missing = count.abstained.map((a) => `${a.vantage} abstains (${a.why})`).join(', ');
  return (
    `Only ${voting.length} of ${count.vantages.length} vantages vote (${who}); a quorum needs ${count.quorum}: ${missing}. ` +
    'Traffic stays where it is until enough vantages vote again (failing static).'
  );
}

/**
 * `eu-west-1 sees primary down while the quorum sees it up (quorum 2 of 3: ...). Nothing moves.`
 *
 * @example
 * disagreeMessage(count, { primary: ['eu-west-1'] }, { primary: 'up' });
 */
export function disagreeMessage(
  count: Tally,
  against: Readonly<Record<TargetId, readonly string[]>>,
  statuses: Readonly<Record<TargetId, TargetStatus>>,
): string {
  const lines = Object.entries(against).map(([id, vantages]) => {
    const quorumSays = statuses[id] ?? 'unknown';
    const theySay = quorumSays === 'up' ? 'down' : 'up';
    return `${vantages.join(', ')} ${vantages.length === 1 ? 'sees' : 'see'} ${id} ${theySay} while the quorum sees it ${quorumSays} (${describeVotes(count, id)})`;
  });
  return `${lines.join('; ')}. Nothing moves on a minority's view; check the network path from those vantages.`;
}
