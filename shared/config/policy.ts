import type { MetricsLevel, Policy } from '../domain/config.ts';
import { oneOf, wholeNumber } from './fields.ts';

/** What a service gets for every policy field that neither it nor `defaults` sets. */
export const POLICY_DEFAULTS: Policy = {
  probeIntervalSeconds: 10,
  failureThreshold: 3,
  recoveryThreshold: 6,
  minDwellSeconds: 600,
  failback: 'manual',
  maxAutoFailbacksPerHour: 2,
};

export const DEFAULT_METRICS: MetricsLevel = 'basic';

export const probeIntervalSeconds = wholeNumber(1, 60);

/** The fields allowed both under `defaults` and directly on a service (which overrides). */
export const policyFields = {
  probeIntervalSeconds: probeIntervalSeconds.optional(),
  failureThreshold: wholeNumber(1, 10).optional(),
  recoveryThreshold: wholeNumber(1, 20).optional(),
  minDwellSeconds: wholeNumber(0, 86_400).optional(),
  failback: oneOf(['auto', 'manual']).optional(),
  maxAutoFailbacksPerHour: wholeNumber(0, 60).optional(),
  metrics: oneOf(['basic', 'detailed']).optional(),
};

export type PolicySettings = Partial<Policy> & { readonly metrics?: MetricsLevel };

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
  };
}

/** A service's metrics level: its own, else `defaults`, else `basic`. */
export function resolveMetrics(service: PolicySettings, defaults: PolicySettings): MetricsLevel {
  return service.metrics ?? defaults.metrics ?? DEFAULT_METRICS;
}
