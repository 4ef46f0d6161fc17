/**
 * The watchdog as one vantage among several (issue #11), on in-memory ports: what it does when it
 * runs where it should not, when the votes cannot be written or read, and the metric of the votes.
 * The quorum itself, with the real handlers and DynamoDB, is in test/chaos/vantages.test.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/index.ts';
import { runWatchdog, type WatchdogDeps } from '../../../shared/controller/watchdog.ts';
import { UnknownVantageError, VotesUnavailableError } from '../../../shared/controller/watchdog-votes.ts';
import type { ControllerConfig } from '../../../shared/domain/config.ts';
import type { Invoker, VantageVotes, VoteStore } from '../../../shared/domain/ports.ts';
import { silentLogger } from '../../../shared/telemetry/log.ts';
import { METRIC } from '../../../shared/telemetry/metric-names.ts';
import type { Metrics } from '../../../shared/telemetry/metrics.ts';
import {
  ManualClock,
  MemoryStore,
  MemoryTraffic,
  RecordingNotifier,
  ScriptedProber,
} from '../../support/in-memory-ports.ts';

const CONFIG: ControllerConfig = parseConfig(
  `
defaults: { probeIntervalSeconds: 10, failureThreshold: 2, recoveryThreshold: 2 }
vantages: { regions: [us-east-1, us-east-2, eu-west-1] }
services:
  - name: api
    hostedZoneId: Z123
    recordName: api.example.com
    recordType: CNAME
    primary: { setIdentifier: primary, checks: [{ http: { url: "https://p.example.com/health", timeoutMs: 1000 } }] }
    secondary: { setIdentifier: secondary, checks: [{ http: { url: "https://s.example.com/health", timeoutMs: 1000 } }] }
`,
  'test.yml',
  {},
);

/** The votes in memory, with switches to make writing or reading fail. */
class MemoryVotes implements VoteStore {
  readonly records = new Map<string, VantageVotes>();
  failSaves = false;
  /** How many reads of the other vantages' votes fail from now on. */
  failLoads = 0;
  async saveVotes(vantage: string, votes: VantageVotes) {
    if (this.failSaves) throw new Error('throttled');
    this.records.set(vantage, new Map(votes));
  }
  async loadVotes(vantages: readonly string[]) {
    if (this.failLoads > 0) {
      this.failLoads--;
      throw new Error('timed out');
    }
    return new Map([...this.records].filter(([vantage]) => vantages.includes(vantage)));
  }
}

class RecordingInvoker implements Invoker {
  readonly calls: string[] = [];
  async invoke(fn: 'failover' | 'failback') {
    this.calls.push(fn);
  }
}

describe('runWatchdog as one of several vantages', () => {
  let clock: ManualClock;
  let votes: MemoryVotes;
  let prober: ScriptedProber;
  let invoker: RecordingInvoker;
  let store: MemoryStore;
  let metricLines: { name: string; value: unknown }[];

  const deps = (vantage: string): WatchdogDeps => {
    const metrics: Metrics = {
      put: (_dimensions, samples) => {
        for (const s of samples) metricLines.push({ name: s.name, value: s.value });
      },
    };
    return {
      services: CONFIG.services,
      store,
      traffic: new MemoryTraffic(CONFIG.services),
      prober,
      invoker,
      notifier: new RecordingNotifier(),
      clock,
      log: silentLogger,
      metrics,
      quorum: { vantages: CONFIG.vantages ?? { regions: [], quorum: 1, canary: null }, vantage, votes },
    };
  };
  const run = (vantage: string, seconds = 30) => {
    const deadline = clock.now() + seconds * 1000;
    return runWatchdog(
      deps(vantage),
      { time: new Date(clock.now()).toISOString() },
      { remainingMs: () => deadline - clock.now() },
    );
  };

  beforeEach(() => {
    clock = new ManualClock();
    votes = new MemoryVotes();
    prober = new ScriptedProber();
    invoker = new RecordingInvoker();
    store = new MemoryStore();
    metricLines = [];
  });

  it('refuses to run as a vantage the configuration does not list', async () => {
    await expect(run('ap-south-1')).rejects.toThrow(UnknownVantageError);
    await expect(run('ap-south-1')).rejects.toThrow(
      /runs as vantage "ap-south-1" .* which vantages.regions does not list/,
    );
  });

  it('records its own votes and reports how many vantages voted each round', async () => {
    await run('us-east-1');

    expect(votes.records.get('us-east-1')?.get('api')).toMatchObject({ vantage: 'us-east-1', blind: false });
    const voters = metricLines.filter((m) => m.name === METRIC.vantageVoters.name);
    expect(voters.map((m) => m.value)).toEqual([[1, 1, 1]]);
  });

  it('waits a freshness window before calling a quorum lost that was never there', async () => {
    await run('us-east-1', 30);
    const starting = store.items.get('api')?.value.announced ?? [];

    await run('us-east-1', 30);

    expect(starting).toEqual([]);
    expect(store.items.get('api')?.value.announced).toEqual(['quorum-lost']);
  });

  it('fails over on its own vote and one other, with its record unwritable', async () => {
    prober.set('api', 'primary', false);
    await run('us-east-2');
    votes.failSaves = true;

    await run('us-east-1');

    expect(invoker.calls).toEqual(['failover']);
  });

  it("decides nothing while the other vantages' votes cannot be read, and fails the run after three rounds", async () => {
    prober.set('api', 'primary', false);
    await run('us-east-2');
    votes.failLoads = Number.POSITIVE_INFINITY;

    await expect(run('us-east-1')).rejects.toThrow(VotesUnavailableError);

    expect(invoker.calls).toEqual([]);
    expect(store.items.get('api')?.value.announced ?? []).toEqual([]);
  });

  it('decides again once the votes can be read, after fewer failed reads than fail a run', async () => {
    prober.set('api', 'primary', false);
    await run('us-east-2');
    // The start's read of its own votes and the first round's read of the others' fail.
    votes.failLoads = 2;

    await run('us-east-1', 40);

    expect(invoker.calls).toEqual(['failover']);
  });
});
