import { z } from 'zod';
import type { DataPlaneMode, DataPlaneSettings, MetricsLevel, Policy } from '../domain/config.ts';
import { DEFAULT_FAILBACK_STEPS, DEFAULT_STEP_HOLD_SECONDS, validSteps } from '../domain/ramp.ts';
import { oneOf, plainText, wholeNumber } from './fields.ts';
import { describeValue } from './wording.ts';

/** What a service gets for every policy field that neither it nor `defaults` sets. */
export const POLICY_DEFAULTS: Policy = {
  probeIntervalSeconds: 10,
  failureThreshold: 3,
  recoveryThreshold: 6,
  minDwellSeconds: 600,
  failback: 'manual',
  maxAutoFailbacksPerHour: 2,
  failbackSteps: DEFAULT_FAILBACK_STEPS,
  stepHoldSeconds: DEFAULT_STEP_HOLD_SECONDS,
  stepAlarm: null,
};

/** At most this many steps in a ramp (each is a Route 53 change and a hold). */
export const MAX_FAILBACK_STEPS = 10;

/**
 * `failbackSteps` (issue #13): whole percents of the active weight, ascending, ending in 100, e.g.
 * `[10, 50, 100]`; `[100]` moves all the traffic at once.
 */
export const failbackSteps = z
  .array(wholeNumber(1, 100), {
    error: (issue) =>
      `must be a list of percents ending in 100, e.g. [10, 50, 100], got ${describeValue(issue.input)}`,
  })
  .min(1, { error: 'must list at least one step: [100] moves all the traffic at once', abort: true })
  .max(MAX_FAILBACK_STEPS, { error: `must list at most ${MAX_FAILBACK_STEPS} steps` })
  .refine(validSteps, {
    error: (issue) =>
      `must rise step by step and end in 100 (percent of the active weight on the returning target), e.g. [10, 50, 100]; got ${Array.isArray(issue.input) ? `[${issue.input.join(', ')}]` : describeValue(issue.input)}`,
  });

export const DEFAULT_METRICS: MetricsLevel = 'basic';

/** Off unless asked for: nothing changes for an existing deployment (issue #12). */
export const DATA_PLANE_DEFAULTS: DataPlaneSettings = { mode: 'off', deadlineSeconds: 30 };

/**
 * The flip function must still have time to record the decision, publish the signal and notify
 * after the deadline: its timeout (serverless.yml, 120 s) less the 15 s kept for the end, less the
 * 15 s one Route 53 call may take.
 */
export const MAX_DATA_PLANE_DEADLINE_SECONDS = 90;

export const probeIntervalSeconds = wholeNumber(1, 60);

/** The fields allowed both under `defaults` and directly on a service (which overrides). */
export const policyFields = {
  probeIntervalSeconds: probeIntervalSeconds.optional(),
  failureThreshold: wholeNumber(1, 10).optional(),
  recoveryThreshold: wholeNumber(1, 20).optional(),
  minDwellSeconds: wholeNumber(0, 86_400).optional(),
  failback: oneOf(['auto', 'manual']).optional(),
  maxAutoFailbacksPerHour: wholeNumber(0, 60).optional(),
  failbackSteps: failbackSteps.optional(),
  stepHoldSeconds: wholeNumber(0, 86_400).optional(),
  stepAlarm: plainText(1, 255).optional(),
  metrics: oneOf(['basic', 'detailed']).optional(),
  dataPlane: oneOf(['off', 'fallback', 'only']).optional(),
  dataPlaneDeadlineSeconds: wholeNumber(1, MAX_DATA_PLANE_DEADLINE_SECONDS).optional(),
};

export type PolicySettings = Partial<Policy> & {
  readonly metrics?: MetricsLevel;
  readonly dataPlane?: DataPlaneMode;
  readonly dataPlaneDeadlineSeconds?: number;
};

/** A service's policy: its own fields, else `defaults`, else the built-in defaults. */
export function resolvePolicy(service: PolicySettings, defaults: PolicySettings): Policy {
  return {
    probeIntervalSeconds:
      service.probeIntervalSeconds ?? defaults.probeIntervalSeconds ?? POLICY_DEFAULTS.probeIntervalSeconds,
    failureThreshold:
      service.failureThreshold ?? defaults.failureThreshold ?? POLICY_DEFAULTS.failureThreshold,
    recoveryThreshold:
      service.recoveryThreshold ?? defaults.recoveryThreshold ?? POLICY_DEFAULTS.recoveryThreshold,
    minDwellSeconds: service.minDwellSeconds ?? defaults.minDwellSeconds ?? POLICY_DEFAULTS.minDwellSeconds,
    failback: service.failback ?? defaults.failback ?? POLICY_DEFAULTS.failback,
    maxAutoFailbacksPerHour:
      service.maxAutoFailbacksPerHour ??
      defaults.maxAutoFailbacksPerHour ??
      POLICY_DEFAULTS.maxAutoFailbacksPerHour,
    failbackSteps: service.failbackSteps ?? defaults.failbackSteps ?? DEFAULT_FAILBACK_STEPS,
    stepHoldSeconds: service.stepHoldSeconds ?? defaults.stepHoldSeconds ?? DEFAULT_STEP_HOLD_SECONDS,
    stepAlarm: service.stepAlarm ?? defaults.stepAlarm ?? null,
  };
}

/** A service's metrics level: its own, else `defaults`, else `basic`. */
export function resolveMetrics(service: PolicySettings, defaults: PolicySettings): MetricsLevel {
  return service.metrics ?? defaults.metrics ?? DEFAULT_METRICS;
}

/**
 * A service's data-plane settings: its own fields, else `defaults`, else off with a 30 s deadline.
 *
 * @example
 * resolveDataPlane({ dataPlane: 'fallback' }, {}); // { mode: 'fallback', deadlineSeconds: 30 }
 */
export function resolveDataPlane(service: PolicySettings, defaults: PolicySettings): DataPlaneSettings {
  return {
    mode: service.dataPlane ?? defaults.dataPlane ?? DATA_PLANE_DEFAULTS.mode,
    deadlineSeconds:
      service.dataPlaneDeadlineSeconds ??
      defaults.dataPlaneDeadlineSeconds ??
      DATA_PLANE_DEFAULTS.deadlineSeconds,
  };
}
