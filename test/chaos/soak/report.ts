/** The soak's numbers: what `npm run soak` prints and what the test asserts on. */
import type { ActiveActiveSoakReport } from './active-active.ts';
import type { PreferenceSoakReport } from './preference.ts';
import type { Detection, SoakReport } from './simulation.ts';

export interface DelayStats {
  readonly count: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface SoakSummary {
  readonly falseFailovers: number;
  readonly falseFailbacks: number;
  readonly missedFailoverRounds: number;
  readonly missedFailbackRounds: number;
  /** Failovers whose primary went DOWN while the standby was healthy: the bound applies. */
  readonly detection: DelayStats;
  /** The largest delay as a share of its own service's bound (1 = exactly at the bound). */
  readonly worstShareOfBound: number;
  readonly outOfBound: readonly Detection[];
  /** Failovers that waited for the standby to become healthy (both were down first). */
  readonly waitedForStandby: DelayStats;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

function stats(delays: readonly number[]): DelayStats {
  const sorted = [...delays].sort((a, b) => a - b);
  return {
    count: sorted.length,
    medianMs: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? 0,
  };
}

export function summarize(report: SoakReport): SoakSummary {
  const bounded = report.detections.filter((detection) => !detection.waitedForStandby);
  const waited = report.detections.filter((detection) => detection.waitedForStandby);
  return {
    falseFailovers: report.falseFailovers.length,
    falseFailbacks: report.falseFailbacks.length,
    missedFailoverRounds: report.missedFailoverRounds.length,
    missedFailbackRounds: report.missedFailbackRounds.length,
    detection: stats(bounded.map((detection) => detection.delayMs)),
    worstShareOfBound: Math.max(0, ...bounded.map((detection) => detection.delayMs / detection.boundMs)),
    outOfBound: bounded.filter((detection) => detection.delayMs > detection.boundMs),
    waitedForStandby: stats(waited.map((detection) => detection.delayMs)),
  };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The report as lines of text. */
export function formatReport(report: SoakReport, elapsedMs: number): string[] {
  const summary = summarize(report);
  const intervals = report.services.map((service) => service.policy.probeIntervalSeconds);
  const { flips, incidents } = report;
  const serviceDays = report.services.length * report.days;
  return [
    `soak: ${report.days} simulated days, ${report.services.length} services, seed ${report.seed} (${(elapsedMs / 1000).toFixed(1)} s of real time)`,
    `  probe intervals ${Math.min(...intervals)}-${Math.max(...intervals)} s; ${report.rounds.toLocaleString('en-US')} decisions`,
    `  primary incidents seen: ${incidents.blip.seen} blips (${incidents.blip.failedOver} long enough to fail over), ${incidents.outage.seen} outages (${incidents.outage.failedOver} failed over), ${incidents.flapping.seen} flapping spells (${incidents.flapping.failedOver} failed over)`,
    `  flips: ${flips.failovers} failovers, ${flips.autoFailbacks} automatic failbacks, ${flips.emergencyFailbacks} emergency failbacks (standby down), ${flips.operatorFailbacks} operator failbacks`,
    `  notices: ${Object.entries(report.notices)
      .sort()
      .map(([event, count]) => `${count} ${event}`)
      .join(', ')}`,
    `  state writes: ${report.writes.toLocaleString('en-US')} (${(report.writes / serviceDays).toFixed(0)} per service-day; ${((report.writes / report.rounds) * 100).toFixed(2)}% of decisions)`,
    `  false failovers: ${summary.falseFailovers}; false failbacks: ${summary.falseFailbacks}`,
    `  missed failovers: ${summary.missedFailoverRounds} rounds; missed emergency failbacks: ${summary.missedFailbackRounds} rounds`,
    `  detection delay (${summary.detection.count} failovers with a healthy standby): median ${seconds(summary.detection.medianMs)}, p99 ${seconds(summary.detection.p99Ms)}, max ${seconds(summary.detection.maxMs)}`,
    `    worst delay = ${(summary.worstShareOfBound * 100).toFixed(1)}% of its bound (failureThreshold x probeIntervalSeconds + timeout); over the bound: ${summary.outOfBound.length}`,
    `  failovers that waited for the standby to recover: ${summary.waitedForStandby.count} (median ${seconds(summary.waitedForStandby.medianMs)}, max ${seconds(summary.waitedForStandby.maxMs)} after the primary went down)`,
    `  failovers decided while the primary's latest probe passed (DOWN, not yet back UP): ${report.failoversWhilePrimaryAnswered}`,
  ];
}

/** A soak's violations as one line: every kind with its count (0 when the engine held). */
function violationLine(violations: Readonly<Record<string, readonly unknown[]>>): string {
  const counts = Object.entries(violations).map(([kind, found]) => `${kind} ${found.length}`);
  const total = Object.values(violations).reduce((sum, found) => sum + found.length, 0);
  return `  violations: ${total} (${counts.join(', ')})`;
}

/** The ramped-failback or three-target soak as lines of text. */
export function formatPreferenceReport(report: PreferenceSoakReport, elapsedMs: number): string[] {
  const { moves } = report;
  const lines = [
    `soak, ${report.mode}: ${report.days} simulated days, ${report.services} services, seed ${report.seed} (${(elapsedMs / 1000).toFixed(1)} s of real time)`,
    `  ${report.rounds.toLocaleString('en-US')} decisions; ${moves.failovers} failovers, ${moves.failbacks} automatic failbacks, ${moves.emergencyFailbacks} emergency failbacks, ${moves.operatorFailbacks} operator failbacks`,
  ];
  if (report.mode === 'ramped-failback') {
    lines.push(
      `  ramps: ${moves.failbacks} started, ${moves.steps} further steps, ${moves.rampsCompleted} completed, ${moves.rampsFinishedEarly} finished at once (the target left went DOWN), ${moves.rollbacksOnDown} rolled back on a DOWN target, ${moves.rollbacksOnAlarm} on the step alarm`,
    );
  } else {
    lines.push(
      `  preference order: ${moves.failoversToLast} failovers onto the last target, ${moves.partialClimbs} failbacks one rung up (not yet to the first)`,
    );
  }
  lines.push(
    `  notices: ${Object.entries(report.notices)
      .sort()
      .map(([event, count]) => `${count} ${event}`)
      .join(', ')}`,
    violationLine(report.violations),
  );
  return lines;
}

/** The active-active soak as lines of text. */
export function formatActiveActiveReport(
  report: ActiveActiveSoakReport,
  run: { seed: number; days: number; services: number },
  elapsedMs: number,
): string[] {
  return [
    `soak, active-active: ${run.days} simulated days, ${run.services} services of three targets, seed ${run.seed} (${(elapsedMs / 1000).toFixed(1)} s of real time)`,
    `  ${report.rounds.toLocaleString('en-US')} decisions; ${report.drains} drains, ${report.returns} returns, ${report.notices['drain-refused'] ?? 0} drains refused by minHealthyTargets`,
    violationLine({
      falseDrains: report.falseDrains,
      falseReturns: report.falseReturns,
      missedDrainRounds: report.missedDrainRounds,
      badTotals: report.badTotals,
    }),
  ];
}
