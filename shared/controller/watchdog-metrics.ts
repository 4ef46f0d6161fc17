/**
 * The watchdog's metrics: what each round saw, gathered during the run and written once at its end
 * as EMF lines (no API call, nothing in the probe loop): the heartbeat and round durations for the
 * stage, per service the health of each target and where traffic is, and per check the probe
 * latency for `metrics: detailed` services (each custom metric costs money, so it is opt-in).
 */
import { targetOrder } from '../domain/config.ts';
import type { Observation, ServiceState } from '../domain/state.ts';
import { METRIC } from '../telemetry/metric-names.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import type { Tracked } from './watchdog-ledger.ts';

interface ServiceSamples {
  /** Per target id, 1 or 0 per round. */
  readonly health: Map<string, number[]>;
  /**
   * The active target's position in preference order, per round. Active-active (issue #13 item 3):
   * `active` is only a label there (the target with the largest decided weight), so this says where
   * the largest share goes, not where all the traffic goes; it moves only when a drain or a ramp
   * changes which target is heaviest. The weight map itself is in the state (`failoverctl status`)
   * and the audit events, not in a metric.
   */
  readonly active: number[];
  readonly latency: Map<string, { target: string; check: string; values: number[] }>;
  /** With vantages: how many vantages' votes counted, per round. */
  readonly voters: number[];
}

export class RunMetrics {
  readonly roundDurations: number[] = [];
  readonly services = new Map<string, ServiceSamples>();

  /** One round of one service, as probed (before the decision). */
  sample(t: Tracked, state: ServiceState, observation: Observation): void {
    let samples = this.services.get(t.config.name);
    if (!samples) {
      samples = { health: new Map(), active: [], latency: new Map(), voters: [] };
      this.services.set(t.config.name, samples);
    }
    const order = targetOrder(t.config);
    for (const id of order) {
      const seen = observation.targets[id];
      if (seen === undefined) continue;
      const series = samples.health.get(id) ?? [];
      series.push(seen.ok ? 1 : 0);
      samples.health.set(id, series);
      if (t.config.metrics !== 'detailed') continue;
      for (const check of seen.checks) {
        const key = `${id} ${check.check}`;
        const latency = samples.latency.get(key) ?? { target: id, check: check.check, values: [] };
        latency.values.push(check.latencyMs);
        samples.latency.set(key, latency);
      }
    }
    samples.active.push(Math.max(0, order.indexOf(state.active)));
  }

  /** How many vantages' votes counted for a service this round (issue #11). */
  sampleVoters(service: string, voters: number): void {
    this.services.get(service)?.voters.push(voters);
  }

  emit(metrics: Metrics, stage: string, run: { durationMs: number; rounds: number }): void {
    metrics.put({ Stage: stage }, [
      { name: METRIC.heartbeat.name, unit: METRIC.heartbeat.unit, value: 1 },
      { name: METRIC.runDuration.name, unit: METRIC.runDuration.unit, value: run.durationMs },
      { name: METRIC.rounds.name, unit: METRIC.rounds.unit, value: run.rounds },
      ...(this.roundDurations.length > 0
        ? [{ name: METRIC.roundDuration.name, unit: METRIC.roundDuration.unit, value: this.roundDurations }]
        : []),
    ]);
    for (const [service, samples] of this.services) {
      metrics.put({ Stage: stage, Service: service }, [
        { name: METRIC.activeTarget.name, unit: METRIC.activeTarget.unit, value: samples.active },
        ...(samples.voters.length > 0
          ? [{ name: METRIC.vantageVoters.name, unit: METRIC.vantageVoters.unit, value: samples.voters }]
          : []),
      ]);
      for (const [target, values] of samples.health) {
        metrics.put({ Stage: stage, Service: service, Target: target }, [
          { name: METRIC.targetHealthy.name, unit: METRIC.targetHealthy.unit, value: values },
        ]);
      }
      for (const series of samples.latency.values()) {
        metrics.put({ Stage: stage, Service: service, Target: series.target, Check: series.check }, [
          { name: METRIC.probeLatency.name, unit: METRIC.probeLatency.unit, value: series.values },
        ]);
      }
    }
  }
}
