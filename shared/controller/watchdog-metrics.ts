/**
 * The watchdog's metrics: what each round saw, gathered during the run and written once at its end
 * as EMF lines (no API call, nothing in the probe loop): the heartbeat and round durations for the
 * stage, per service the health of each target and where traffic is, and per check the probe
 * latency for `metrics: detailed` services (each custom metric costs money, so it is opt-in).
 */
import type { Observation, ServiceState } from '../domain/state.ts';
import { activeTarget } from '../domain/state.ts';
import { METRIC } from '../telemetry/metric-names.ts';
import type { MetricSample, Metrics } from '../telemetry/metrics.ts';
import type { Tracked } from './watchdog-ledger.ts';

interface ServiceSamples {
  readonly primary: number[];
  readonly secondary: number[];
  readonly active: number[];
  readonly latency: Map<string, { target: string; check: string; values: number[] }>;
}

export class RunMetrics {
  readonly roundDurations: number[] = [];
  readonly services = new Map<string, ServiceSamples>();

  /** One round of one service, as probed (before the decision). */
  sample(t: Tracked, state: ServiceState, observation: Observation): void {
    let samples = this.services.get(t.config.name);
    if (!samples) {
      samples = { primary: [], secondary: [], active: [], latency: new Map() };
      this.services.set(t.config.name, samples);
    }
    samples.primary.push(observation.primary.ok ? 1 : 0);
    samples.secondary.push(observation.secondary.ok ? 1 : 0);
    samples.active.push(activeTarget(state.phase) === 'primary' ? 0 : 1);
    if (t.config.metrics !== 'detailed') return;
    for (const target of ['primary', 'secondary'] as const) {
      for (const check of observation[target].checks) {
        const key = `${target} ${check.check}`;
        const series = samples.latency.get(key) ?? { target, check: check.check, values: [] };
        series.values.push(check.latencyMs);
        samples.latency.set(key, series);
      }
    }
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
      const health: MetricSample[] = [
        { name: METRIC.primaryHealthy.name, unit: METRIC.primaryHealthy.unit, value: samples.primary },
        { name: METRIC.secondaryHealthy.name, unit: METRIC.secondaryHealthy.unit, value: samples.secondary },
        { name: METRIC.activeTarget.name, unit: METRIC.activeTarget.unit, value: samples.active },
      ];
      metrics.put({ Stage: stage, Service: service }, health);
      for (const series of samples.latency.values()) {
        metrics.put({ Stage: stage, Service: service, Target: series.target, Check: series.check }, [
          { name: METRIC.probeLatency.name, unit: METRIC.probeLatency.unit, value: series.values },
        ]);
      }
    }
  }
}
