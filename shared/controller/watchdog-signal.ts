/**
 * The watchdog's part of the data-plane signal (issue #12): once per round, `TrafficAllowed` of every
 * due `dataPlane` service in one PutMetricData call (1,000 targets per request), from the state as
 * stored now — not as this run last saw it, since a flip function may have recorded a newer decision
 * meanwhile, and the signal must never fall back to an older one. Without a fresh state nothing is
 * published: the alarms then see no data and the health checks keep their last status
 * (`LastKnownStatus`), which is also what a dead watchdog leaves behind.
 */
import { targetOrder } from '../domain/config.ts';
import type { StateStore, TrafficSignal } from '../domain/ports.ts';
import { type ServiceSignal, signalOf } from '../domain/traffic-signal.ts';
import type { Logger } from '../telemetry/log.ts';
import type { Tracked } from './watchdog-ledger.ts';

export interface SignalDeps {
  readonly store: StateStore;
  readonly trafficSignal?: TrafficSignal;
  readonly log: Logger;
}

/**
 * @example
 * await publishRoundSignals(deps, due); // one PutMetricData with TrafficAllowed per target
 */
export async function publishRoundSignals(deps: SignalDeps, due: readonly Tracked[]): Promise<void> {
  const dataPlane = due.filter((t) => t.config.dataPlane.mode !== 'off');
  if (dataPlane.length === 0) return;
  try {
    if (deps.trafficSignal === undefined) throw new Error('no CloudWatch client for the data-plane signal');
    const stored = await deps.store.loadAll(dataPlane.map((t) => t.config.name));
    const signals = dataPlane.flatMap((t): ServiceSignal[] => {
      const signal = signalOf(stored.get(t.config.name)?.value ?? t.state, targetOrder(t.config));
      return signal === null ? [] : [signal];
    });
    if (signals.length > 0) await deps.trafficSignal.publish(signals);
  } catch (error) {
    // Publishing never blocks probing or a flip; the health checks keep their last status meanwhile.
    deps.log.error('could not publish the data-plane signal this round', {
      services: dataPlane.map((t) => t.config.name),
      error,
    });
  }
}
