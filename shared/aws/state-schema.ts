/**
 * The JSON of the state item, checked on every read and write, and the migration of items written
 * by earlier versions:
 *
 *   format 1 (two targets)   { phase, pendingSince, primary, secondary, … }
 *   format 2 (any targets)   { active, moving, targets: { <id>: health }, … }
 *
 * A format-1 item is read as format 2 (and written back as format 2 by the next write):
 * `phase` → `active` (`*-active`, or the side a `failing-*` phase left) and `moving`
 * (`failing-over` → to secondary, `failing-back` → to primary, since `pendingSince`); `primary` and
 * `secondary` → `targets`. An operator's flip in flight was marked, before issue #17, by
 * `pendingSince` on an active phase with the failover's hold already set: it becomes the explicit
 * claim it was, its hold moved into the claim, so reconciliation records it with that hold if it
 * landed, or releases claim and hold if it never did.
 */
import { z } from 'zod';
import type { ServiceState } from '../domain/state.ts';

/** The latest `at` an audit key can hold while ISO strings still sort as time does (year 9999). */
export const MAX_SORTABLE_AT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export const count = z.number().int().nonnegative();
export const epochMs = z.number().int().min(0).max(MAX_SORTABLE_AT);
export const targetId = z.string().min(1).max(64);

export const checkResultSchema = z.object({
  check: z.string(),
  ok: z.boolean(),
  latencyMs: z.number().nonnegative(),
  reason: z.string(),
});

const targetHealthSchema = z.object({
  status: z.enum(['up', 'down', 'unknown']),
  okStreak: count,
  failStreak: count,
  since: epochMs.nullable(),
  last: z.array(checkResultSchema),
});

const holdSchema = z.object({
  kind: z.enum(['planned-failover', 'manual-edit', 'forced']),
  by: z.string(),
  reason: z.string(),
  at: epochMs,
});

const percent = z.number().int().min(1).max(100);
/** A Route 53 weight. */
const weight = z.number().int().min(0).max(255);
/** A ramp step (issue #13): absent from items written before it, and from moves of all the traffic. */
const stepSchema = z.object({ steps: z.array(percent).min(1), step: count });

const claimSchema = z.object({
  to: targetId,
  by: z.string(),
  at: epochMs,
  hold: holdSchema.nullable(),
  step: stepSchema.optional(),
});

const rampSchema = z.object({
  from: targetId,
  to: targetId,
  steps: z.array(percent).min(1),
  step: count,
  since: epochMs,
  holdSeconds: count,
  by: z.string(),
});
const failureSchema = z.object({
  to: targetId,
  by: z.string(),
  at: epochMs,
  epoch: count,
  error: z.string(),
});

const common = {
  service: z.string().min(1),
  epoch: count,
  lastFlipAt: epochMs.nullable(),
  // Absent from items written before issue #17: read as null.
  claim: claimSchema.nullable().default(null),
  lastFailure: failureSchema.nullable().default(null),
  // Absent from items written before issue #13 (gradual failback): read as null.
  ramp: rampSchema.nullable().default(null),
  hold: holdSchema.nullable(),
  paused: z.boolean(),
  autoFailbacks: z.array(epochMs),
  frozen: z.boolean(),
  announced: z.array(
    z.enum([
      'both-down',
      'failback-ready',
      'flapping-frozen',
      'failover-blocked',
      'quorum-lost',
      'vantage-disagrees',
      'drain-refused',
    ]),
  ),
};

/** Format 2: what the controller writes. */
export const serviceStateSchema = z.object({
  ...common,
  active: targetId,
  moving: z
    .object({
      to: targetId,
      since: epochMs,
      step: stepSchema.optional(),
      weights: z.record(targetId, weight).optional(),
    })
    .nullable(),
  targets: z.record(targetId, targetHealthSchema),
  // Issue #12: only while a data-plane flip's weights are not yet reconciled.
  weightsPending: z.object({ since: epochMs }).optional(),
  // Active-active only (issue #13 item 3): the decided weight map and a drained target's ramp back.
  shares: z
    .object({
      weights: z.record(targetId, weight),
      ramp: z
        .object({
          to: targetId,
          steps: z.array(percent).min(1),
          step: count,
          since: epochMs,
          holdSeconds: count,
        })
        .nullable(),
    })
    .optional(),
}) satisfies z.ZodType<ServiceState, unknown>;

/** Format 1: two targets and four phases, as written before issue #19. */
const formatOneSchema = z.object({
  ...common,
  phase: z.enum(['primary-active', 'failing-over', 'secondary-active', 'failing-back']),
  pendingSince: epochMs.nullable(),
  primary: targetHealthSchema,
  secondary: targetHealthSchema,
});

export type StateParse =
  | { readonly ok: true; readonly state: ServiceState; readonly format: 1 | 2 }
  | { readonly ok: false; readonly error: z.ZodError };

/**
 * Parse the state JSON of any format (the item's `format` attribute, when it has one) into the
 * current shape.
 *
 * @example
 * parseStoredState({ phase: 'failing-over', pendingSince: 5, primary, secondary, ... });
 * // => { ok: true, format: 1, state: { active: 'primary', moving: { to: 'secondary', since: 5 }, targets: { primary, secondary }, ... } }
 */
export function parseStoredState(json: unknown, format?: number): StateParse {
  // The item's own `format` attribute decides; an item without one is judged by its shape.
  const isFormatOne =
    format === undefined ? typeof json === 'object' && json !== null && 'phase' in json : format < 2;
  if (!isFormatOne) {
    const parsed = serviceStateSchema.safeParse(json);
    return parsed.success ? { ok: true, state: parsed.data, format: 2 } : { ok: false, error: parsed.error };
  }
  const parsed = formatOneSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: parsed.error };
  const { phase, pendingSince, primary, secondary, ...rest } = parsed.data;
  const onPrimary = phase === 'primary-active' || phase === 'failing-over';
  const pending = phase === 'failing-over' || phase === 'failing-back';
  const state: ServiceState = {
    ...rest,
    active: onPrimary ? 'primary' : 'secondary',
    moving: pending ? { to: onPrimary ? 'secondary' : 'primary', since: pendingSince ?? 0 } : null,
    targets: { primary, secondary },
  };
  if (pending || pendingSince === null || state.claim !== null) return { ok: true, state, format: 1 };
  // Before issue #17: an operator's flip in flight, its failover hold set with the claim.
  const to = onPrimary ? 'secondary' : 'primary';
  return {
    ok: true,
    format: 1,
    state: {
      ...state,
      claim: { to, by: state.hold?.by ?? 'operator', at: pendingSince, hold: onPrimary ? state.hold : null },
      hold: onPrimary ? null : state.hold,
    },
  };
}
