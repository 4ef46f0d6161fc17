/**
 * How the answers of the flip and control functions read on a terminal, and which exit code each
 * outcome means: `refused`, `stale`, `rejected` and `failed` are exit 1; everything else succeeded.
 */
import type { ControlResponse } from '../shared/controller/control.ts';
import type { FlipResponse, FlipTimings } from '../shared/controller/flip.ts';
import type { DeliveryReport } from '../shared/domain/ports.ts';
import { EXIT_FAILED, EXIT_OK } from './errors.ts';
import { duration } from './format.ts';
import type { FunctionAnswer } from './invoke.ts';

const FAILED_OUTCOMES = new Set(['refused', 'stale', 'rejected', 'failed']);

export function exitCodeOfOutcome(outcome: string): number {
  return FAILED_OUTCOMES.has(outcome) ? EXIT_FAILED : EXIT_OK;
}

const HEADLINES: Readonly<Record<string, string>> = {
  'failed-over': 'Failed over',
  'failed-back': 'Failed back',
  'already-active': 'Nothing to do',
  stale: 'Not done (stale)',
  refused: 'REFUSED',
  failed: 'FAILED',
  rejected: 'REJECTED',
  'dry-run': 'Dry run',
  paused: 'Paused',
  resumed: 'Resumed',
  'already-paused': 'Nothing to do',
  'already-running': 'Nothing to do',
};

/** The function's answer as the function's own answer type (it is ours: its shape is known). */
export function asFlipResponse(answer: FunctionAnswer): FlipResponse {
  return answer as unknown as FlipResponse;
}

export function asControlResponse(answer: FunctionAnswer): ControlResponse {
  return answer as unknown as ControlResponse;
}

/** A flip's answer in a few lines. */
export function describeFlip(response: FlipResponse): string[] {
  const lines = [`${HEADLINES[response.outcome] ?? response.outcome}: ${response.message}`];
  if (response.errors && response.errors.length > 0) {
    for (const error of response.errors) lines.push(`  - ${error}`);
  }
  if (response.verification && !response.verification.ok) {
    for (const check of response.verification.checks.filter((c) => !c.ok)) {
      lines.push(`  re-check FAIL ${check.check}: ${check.reason}`);
    }
  }
  if (response.epoch !== undefined && response.outcome !== 'rejected')
    lines.push(`  epoch: ${response.epoch}`);
  if (response.changeId) lines.push(`  Route 53 change: ${response.changeId}`);
  if (response.timings) lines.push(`  timings: ${describeTimings(response.timings)}`);
  lines.push(...describeDeliveries(response.deliveries));
  return lines;
}

/** A control answer in a few lines. */
export function describeControl(response: ControlResponse): string[] {
  const lines = [`${HEADLINES[response.outcome] ?? response.outcome}: ${response.message}`];
  for (const error of response.errors ?? []) lines.push(`  - ${error}`);
  lines.push(...describeDeliveries(response.deliveries));
  return lines;
}

function describeTimings(t: FlipTimings): string {
  const steps: [string, number | undefined][] = [
    ['target re-checked', t.verifiedAt],
    ['change accepted', t.changeAcceptedAt],
    ['recorded', t.recordedAt],
    ['in sync', t.inSyncAt],
  ];
  const known = steps.filter((s): s is [string, number] => s[1] !== undefined);
  const parts = known.map(([label, at]) => `${label} +${duration(at - t.startedAt)}`);
  return [...parts, `total ${duration(t.totalMs)}`].join(', ');
}

function describeDeliveries(deliveries: readonly DeliveryReport[] | undefined): string[] {
  if (!deliveries || deliveries.length === 0) return [];
  const parts = deliveries.map((d) =>
    d.ok ? `${d.channel} ok` : `${d.channel} FAILED (${d.error ?? 'no reason'})`,
  );
  return [`  notified: ${parts.join(', ')}`];
}
