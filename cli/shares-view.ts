/**
 * An active-active service's decision for people (issue #13 item 3): the weight map the watchdog
 * decided (each target's share, drained ones at 0) and a share ramping back, shown by
 * `failoverctl status` and `plan`. Read from the state only; nothing here decides.
 */

import { sharesOf, weightsWithShare } from '../shared/domain/active-active.ts';
import {
  type ActiveActive,
  type ServiceConfig,
  type TargetId,
  targetOrder,
} from '../shared/domain/config.ts';
import { percentOf, stepDueAt } from '../shared/domain/ramp.ts';
import { formatDuration } from '../shared/domain/reasons.ts';
import type { ServiceState, ShareRamp } from '../shared/domain/state.ts';
import { ago, isoSeconds } from './format.ts';

/**
 * The weight map in one short line, most preferred first: `primary=63 secondary=37 tertiary=0`.
 *
 * @example
 * weightsText({ a: 63, b: 37, c: 0 }, ['a', 'b', 'c']); // 'a=63 b=37 c=0'
 */
export function weightsText(weights: Readonly<Record<TargetId, number>>, order: readonly TargetId[]): string {
  return order.map((id) => `${id}=${weights[id] ?? 0}`).join(' ');
}

/** PHASE of an active-active service: `active-active`, `reweighting` (a map on its way), `ramping <t> 10%`. */
export function sharesPhase(state: ServiceState, settings: ActiveActive, order: readonly TargetId[]): string {
  if (state.moving !== null) return 'reweighting';
  const { ramp } = sharesOf(state, settings, order);
  return ramp === null ? 'active-active' : `ramping ${ramp.to} ${percentOf(ramp)}%`;
}

/**
 * Each target's decided weight beside its configured one, and the ramp in words.
 *
 *   weights  primary 63 of 50, secondary 37 of 30, tertiary 0 of 20 (drained)
 *   ramp     the tertiary returns in steps 10/50/100 % of its share: at 10 % (step 1 of 3) since …;
 *            next 50 % in 45 s if the tertiary stays up and alarm x is OK; a failure drains it again
 */
export function sharesLines(
  service: ServiceConfig,
  settings: ActiveActive,
  state: ServiceState,
  now: number,
): { weights: string; ramp: string | null; next: string | null } {
  const order = targetOrder(service);
  const shares = sharesOf(state, settings, order);
  const weights = order
    .map((id) => {
      const decided = shares.weights[id] ?? 0;
      const drained = decided === 0 && (settings.weights[id] ?? 0) > 0 && shares.ramp?.to !== id;
      return `${id} ${decided} of ${settings.weights[id] ?? 0}${drained ? ' (drained)' : ''}`;
    })
    .join(', ');
  const ramp = shares.ramp;
  if (ramp === null) return { weights, ramp: null, next: null };
  const alarm = service.policy.stepAlarm ?? null;
  const next = ramp.steps[ramp.step + 1] ?? 100;
  const due = stepDueAt(ramp);
  const when = due > now ? `in ${formatDuration(due - now)}` : 'at the next round';
  const gate = alarm === null ? '' : ` and alarm ${alarm} is OK`;
  return {
    weights,
    ramp:
      `the ${ramp.to} returns in steps ${ramp.steps.join('/')} % of its share (${settings.weights[ramp.to] ?? 0}): ` +
      `at ${percentOf(ramp)} % (step ${ramp.step + 1} of ${ramp.steps.length}) since ${isoSeconds(ramp.since)} ` +
      `(${ago(ramp.since, now)}); next ${next} % ${when} if the ${ramp.to} stays up${gate}; ` +
      `a failure${alarm === null ? '' : ' or the alarm'} drains it again`,
    next: weightsText(nextWeights(settings, order, shares.weights, ramp), order),
  };
}

/**
 * The weight map the ramp's next step writes: every target with weight at its share, the ramping
 * one at the next percent of its own (the watchdog's own rule, `weightsWithShare`).
 */
export function nextWeights(
  settings: ActiveActive,
  order: readonly TargetId[],
  weights: Readonly<Record<TargetId, number>>,
  ramp: ShareRamp,
): Record<TargetId, number> {
  return weightsWithShare(settings.weights, order, weights, ramp.to, ramp.steps[ramp.step + 1] ?? 100);
}

/** The decision as JSON: `status --json`'s `shares` key. */
export function sharesJson(
  service: ServiceConfig,
  settings: ActiveActive,
  state: ServiceState,
): Record<string, unknown> {
  const order = targetOrder(service);
  const shares = sharesOf(state, settings, order);
  const ramp = shares.ramp;
  return {
    // Most preferred first (ids are never numeric, so the objects keep this order).
    weights: Object.fromEntries(order.map((id) => [id, shares.weights[id] ?? 0])),
    configured: Object.fromEntries(order.map((id) => [id, settings.weights[id] ?? 0])),
    drained: order.filter(
      (id) => (shares.weights[id] ?? 0) === 0 && (settings.weights[id] ?? 0) > 0 && ramp?.to !== id,
    ),
    minHealthyTargets: settings.minHealthyTargets,
    ramp:
      ramp === null
        ? null
        : {
            to: ramp.to,
            steps: ramp.steps,
            step: ramp.step,
            percent: percentOf(ramp),
            since: new Date(ramp.since).toISOString(),
            holdSeconds: ramp.holdSeconds,
            nextPercent: ramp.steps[ramp.step + 1] ?? 100,
            nextStepAt: new Date(stepDueAt(ramp)).toISOString(),
            gate: service.policy.stepAlarm ?? null,
            nextWeights: nextWeights(settings, order, shares.weights, ramp),
          },
  };
}
