/**
 * Issue #10: the watchdog sends the moves of one hosted zone decided in a round to one invocation,
 * and the flip function carries them out with one Route 53 batch per zone, each move with its own
 * fence, epoch, claim, audit event and notification.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/index.ts';
import type { FlipDeps } from '../../../shared/controller/flip.ts';
import { runFlipBatch } from '../../../shared/controller/flip-batch.ts';
import { runWatchdog } from '../../../shared/controller/watchdog.ts';
import type { ServiceConfig } from '../../../shared/domain/config.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import type { FlipBatchInvocation, FlipInvocation, Invoker, ZoneFlip } from '../../../shared/domain/ports.ts';
import { silentLogger } from '../../../shared/telemetry/log.ts';
import { noMetrics } from '../../../shared/telemetry/metrics.ts';
import {
  ManualClock,
  MemoryStore,
  MemoryTraffic,
  RecordingNotifier,
  ScriptedProber,
} from '../../support/in-memory-ports.ts';

const service = (name: string, zone: string) => `
  - name: ${name}
    hostedZoneId: ${zone}
    recordName: ${name}.example.com
    recordType: CNAME
    primary: { setIdentifier: primary, checks: [{ http: { url: "https://p.${name}.example.com/health", timeoutMs: 500 } }] }
    secondary: { setIdentifier: secondary, checks: [{ http: { url: "https://s.${name}.example.com/health", timeoutMs: 500 } }] }`;
const CONFIG = `
defaults: { probeIntervalSeconds: 1, failureThreshold: 2, recoveryThreshold: 2 }
services:${['a', 'b', 'c'].map((n) => service(n, 'ZONEONE')).join('')}${service('d', 'ZONETWO')}
`;

class RecordingInvoker implements Invoker {
  readonly calls: { fn: string; payload: FlipInvocation | FlipBatchInvocation }[] = [];
  async invoke(fn: 'failover' | 'failback', payload: FlipInvocation | FlipBatchInvocation) {
    this.calls.push({ fn, payload });
  }
}

/** Counts the batches the flip asks the traffic switch for. */
class CountingTraffic extends MemoryTraffic {
  readonly calls: string[][] = [];
  override async flipMany(flips: readonly ZoneFlip[]) {
    this.calls.push(flips.map((f) => f.service.name));
    return super.flipMany(flips);
  }
}

describe('moves of one hosted zone', () => {
  let services: readonly ServiceConfig[];
  let store: MemoryStore;
  let traffic: CountingTraffic;
  let prober: ScriptedProber;
  let notifier: RecordingNotifier;
  let clock: ManualClock;
  let deps: FlipDeps;

  beforeEach(() => {
    services = parseConfig(CONFIG, 'test.yml', {}).services;
    store = new MemoryStore();
    traffic = new CountingTraffic(services);
    prober = new ScriptedProber();
    notifier = new RecordingNotifier();
    clock = new ManualClock();
    deps = { services, store, traffic, prober, notifier, clock, log: silentLogger, metrics: noMetrics };
  });

  const decided = async (name: string, epoch = 0) => {
    await store.save(
      { ...initialState(name, 'primary'), epoch, moving: { to: 'secondary', since: clock.now() } },
      null,
    );
  };
  const move = (name: string, epoch = 0) => ({
    service: name,
    to: 'secondary',
    epoch,
    reason: 'primary down',
    correlationId: `c-${name}`,
  });

  it('carries out three moves with one traffic-switch batch, each recorded, told and audited on its own', async () => {
    for (const name of ['a', 'b', 'c']) await decided(name);

    const out = await runFlipBatch(deps, 'failover', { moves: ['a', 'b', 'c'].map((n) => move(n)) });

    expect(out.outcomes.map((o) => [o.service, o.outcome, o.epoch, o.correlationId])).toEqual([
      ['a', 'failed-over', 1, 'c-a'],
      ['b', 'failed-over', 1, 'c-b'],
      ['c', 'failed-over', 1, 'c-c'],
    ]);
    expect(traffic.calls).toEqual([['a', 'b', 'c']]);
    for (const name of ['a', 'b', 'c']) {
      expect(store.items.get(name)?.value).toMatchObject({ active: 'secondary', moving: null, epoch: 1 });
    }
    expect(notifier.sent.map((n) => [n.service, n.event])).toEqual([
      ['a', 'failover'],
      ['b', 'failover'],
      ['c', 'failover'],
    ]);
    expect(store.audit.filter((e) => e.outcome === 'failed-over')).toHaveLength(3);
  });

  it('lets a stale move stop alone: the others of the batch go on', async () => {
    await decided('a');
    await decided('b', 4);

    const out = await runFlipBatch(deps, 'failover', { moves: [move('a'), move('b', 3)] });

    expect(out.outcomes.map((o) => [o.service, o.outcome])).toEqual([
      ['a', 'failed-over'],
      ['b', 'stale'],
    ]);
    expect(traffic.calls).toEqual([['a']]);
  });

  it('rejects an entry without an epoch (a batch is the watchdog only) and carries out the rest', async () => {
    await decided('a');

    const out = await runFlipBatch(deps, 'failover', {
      moves: [{ service: 'b', to: 'secondary', requestedBy: 'mallory' }, move('a')],
    });

    expect(out.outcomes.map((o) => [o.service, o.outcome])).toEqual([
      ['b', 'rejected'],
      ['a', 'failed-over'],
    ]);
    expect(out.outcomes[0]?.message).toMatch(
      /moves\[0\]\.epoch: a batch carries the watchdog's decisions only/,
    );
  });

  it('rejects a malformed batch without touching anything', async () => {
    const out = await runFlipBatch(deps, 'failover', { moves: [], extra: 1 });

    expect(out.outcomes).toEqual([]);
    expect(out.errors?.join('; ')).toMatch(/unknown field 'extra'/);
    expect(traffic.calls).toEqual([]);
  });

  it('makes the watchdog send one invocation per hosted zone for the moves of a round', async () => {
    const invoker = new RecordingInvoker();
    for (const name of ['a', 'b', 'c', 'd']) prober.set(name, 'primary', false);

    // Rounds each second while 5.5 s (the longest timeout and the safety margin) are left: 4 rounds.
    const end = clock.now() + 9_000;
    const report = await runWatchdog(
      { ...deps, invoker },
      { time: new Date(clock.now()).toISOString() },
      { remainingMs: () => end - clock.now() },
    );

    expect(report.invoked).toHaveLength(4);
    const payloads = invoker.calls.map((c) => c.payload);
    const batch = payloads.find((p) => 'moves' in p);
    const single = payloads.find((p) => !('moves' in p));
    expect(invoker.calls).toHaveLength(2);
    expect(batch && 'moves' in batch ? batch.moves.map((m) => m.service).sort() : []).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(single && 'service' in single ? single.service : null).toBe('d');
  });
});
