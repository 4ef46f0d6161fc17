import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/index.ts';
import { type FlipDeps, runFlip } from '../../../shared/controller/flip.ts';
import { runForcedFlip } from '../../../shared/controller/forced-flip.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import { silentLogger } from '../../../shared/telemetry/log.ts';
import { noMetrics } from '../../../shared/telemetry/metrics.ts';
import {
  ManualClock,
  MemoryStore,
  MemoryTraffic,
  RecordingNotifier,
  ScriptedProber,
} from '../../support/in-memory-ports.ts';

const CONFIG = `
services:
  - name: api
    hostedZoneId: Z123
    recordName: api.example.com
    recordType: CNAME
    primary: { setIdentifier: primary, checks: [{ http: { url: "https://primary.example.com/health" } }] }
    secondary: { setIdentifier: secondary, checks: [{ http: { url: "https://standby.example.com/health" } }] }
`;

describe('runFlip', () => {
  let store: MemoryStore;
  let traffic: MemoryTraffic;
  let prober: ScriptedProber;
  let notifier: RecordingNotifier;
  let deps: FlipDeps;

  /** The watchdog's decision: moving to the secondary at the current epoch. */
  const decidedFailover = async (epoch = 0) => {
    await store.save(
      { ...initialState('api', 'primary'), epoch, moving: { to: 'secondary', since: 1 } },
      null,
    );
  };
  const state = () => store.items.get('api')?.value;
  /** The watchdog decides a failover again on the stored state (a later round). */
  const decidesAgain = async (since: number) => {
    const stored = store.items.get('api');
    if (!stored) throw new Error('no state stored yet');
    await store.save({ ...stored.value, moving: { to: 'secondary', since } }, stored.version);
  };

  beforeEach(() => {
    const config = parseConfig(CONFIG, 'test.yml', {});
    store = new MemoryStore();
    traffic = new MemoryTraffic(config.services);
    prober = new ScriptedProber();
    notifier = new RecordingNotifier();
    deps = {
      services: config.services,
      store,
      traffic,
      prober,
      notifier,
      clock: new ManualClock(),
      log: silentLogger,
      metrics: noMetrics,
    };
  });

  it('carries out an automatic failover decided on the current epoch, once', async () => {
    await decidedFailover(0);

    const out = await runFlip(deps, 'failover', { service: 'api', epoch: 0, reason: 'primary down' });

    // Recorded on acceptance, the slot freed at once: told as accepted and propagating (issue #10, #20).
    expect(out.timings?.inSyncAt).toBeUndefined();
    expect(out.message).toContain(
      'Route 53 accepted the change (C1); its name servers answer the secondary once it is in sync',
    );
    expect(out).toMatchObject({
      outcome: 'failed-over',
      from: 'primary',
      to: 'secondary',
      epoch: 1,
      changeId: 'C1',
    });
    expect(state()).toMatchObject({ active: 'secondary', moving: null, epoch: 1, hold: null });
    expect(traffic.changes).toBe(1);
    expect(notifier.sent.map((n) => [n.event, n.requestedBy])).toEqual([['failover', 'watchdog']]);
    expect(store.audit.map((e) => e.outcome)).toEqual(['failed-over']);
  });

  it('treats a duplicate delivery of the same decision as stale', async () => {
    await decidedFailover(0);
    await runFlip(deps, 'failover', { service: 'api', epoch: 0 });

    const again = await runFlip(deps, 'failover', { service: 'api', epoch: 0 });

    expect(again.outcome).toBe('stale');
    expect(traffic.changes).toBe(1);
    expect(state()?.epoch).toBe(1);
  });

  it('ignores a decision that was withdrawn (nothing moving any more)', async () => {
    await store.save(initialState('api', 'primary'), null);

    const out = await runFlip(deps, 'failover', { service: 'api', epoch: 0 });

    expect(out.outcome).toBe('stale');
    expect(traffic.changes).toBe(0);
  });

  it('refuses to fail over to a standby that fails its re-check, and marks it down', async () => {
    await decidedFailover(0);
    prober.set('api', 'secondary', false);

    const out = await runFlip(deps, 'failover', { service: 'api', epoch: 0 });

    expect(out.outcome).toBe('refused');
    expect(traffic.changes).toBe(0);
    expect(state()).toMatchObject({
      active: 'primary',
      moving: null,
      epoch: 0,
      targets: { secondary: { status: 'down' } },
    });
    expect(notifier.sent.map((n) => [n.event, n.severity])).toEqual([['failover-refused', 'critical']]);
  });

  it('refuses a failback to a primary that fails its re-check, without paging', async () => {
    await runFlip(deps, 'failover', { service: 'api', requestedBy: 'alice', reason: 'maintenance' });
    prober.set('api', 'primary', false);

    const out = await runFlip(deps, 'failback', { service: 'api', requestedBy: 'alice' });

    expect(out.outcome).toBe('refused');
    expect(out.message).toMatch(/^Refused to fail back api/);
    expect(state()).toMatchObject({
      active: 'secondary',
      moving: null,
      targets: { primary: { status: 'down' } },
    });
    expect(notifier.sent.at(-1)).toMatchObject({ event: 'failback-refused', severity: 'error' });
  });

  it('fails over to an unhealthy standby only when forced, and records it as a hold', async () => {
    prober.set('api', 'secondary', false);

    const out = await runForcedFlip(deps, {
      direction: 'failover',
      service: 'api',
      requestedBy: 'alice',
      reason: 'dc fire',
    });

    expect(out.outcome).toBe('failed-over');
    expect(out.message).toMatch(/forced/);
    expect(state()?.hold).toMatchObject({ kind: 'forced', by: 'alice' });
  });

  it('sets a planned-failover hold on a manual failover, and a manual failback clears it', async () => {
    const over = await runFlip(deps, 'failover', {
      service: 'api',
      requestedBy: 'alice',
      reason: 'db upgrade',
    });
    expect(over.outcome).toBe('failed-over');
    expect(state()?.hold).toMatchObject({ kind: 'planned-failover', by: 'alice', reason: 'db upgrade' });
    expect(notifier.sent.at(-1)?.event).toBe('planned-failover');

    const back = await runFlip(deps, 'failback', { service: 'api', requestedBy: 'alice' });

    expect(back).toMatchObject({ outcome: 'failed-back', epoch: 2 });
    expect(state()).toMatchObject({ active: 'primary', moving: null, hold: null });
    expect(traffic.changes).toBe(2);
  });

  it('answers a dry run with the exact change batch and changes nothing', async () => {
    const out = await runFlip(deps, 'failover', { service: 'api', dryRun: true });

    expect(out.outcome).toBe('dry-run');
    expect(out.change?.Changes).toHaveLength(4);
    expect(store.writes).toBe(0);
    expect(traffic.changes).toBe(0);
    expect(notifier.sent).toEqual([]);
  });

  it('records Route 53 as it is when traffic is already on the target', async () => {
    await decidedFailover(0);
    traffic.handEdit('api', 'secondary');

    const out = await runFlip(deps, 'failover', { service: 'api', epoch: 0 });

    expect(out.outcome).toBe('already-active');
    expect(state()).toMatchObject({ active: 'secondary', moving: null, epoch: 1 });
    expect(traffic.changes).toBe(0);
  });

  it('reports a flip whose records changed underneath as stale, and releases its claim', async () => {
    await decidedFailover(0);
    const flip = traffic.flip.bind(traffic);
    traffic.flip = async (s, to, expected) => {
      traffic.handEdit('api', 'primary', 50); // someone edits between read and flip
      return flip(s, to, expected);
    };

    const out = await runFlip(deps, 'failover', { service: 'api', epoch: 0 });

    expect(out.outcome).toBe('stale');
    expect(out.message).toMatch(/changed between read and flip/);
    expect(state()).toMatchObject({ active: 'primary', moving: null, epoch: 0 });
  });

  it('does not carry out an automatic failover while automation is paused', async () => {
    await store.save(
      { ...initialState('api', 'primary'), moving: { to: 'secondary', since: 1 }, paused: true },
      null,
    );

    const out = await runFlip(deps, 'failover', { service: 'api', epoch: 0 });

    expect(out.outcome).toBe('stale');
    expect(traffic.changes).toBe(0);
  });

  /** An operator pauses automation while the flip function is re-checking the target. */
  const pauseDuringRecheck = () => {
    const probe = prober.probeTarget.bind(prober);
    prober.probeTarget = async (service, target) => {
      const current = store.items.get('api');
      if (current) await store.save({ ...current.value, paused: true }, current.version);
      return probe(service, target);
    };
  };

  it('does not carry out an automatic failover when automation is paused while it runs', async () => {
    await decidedFailover(0);
    pauseDuringRecheck();

    const out = await runFlip(deps, 'failover', { service: 'api', epoch: 0 });

    expect(out.outcome).toBe('stale');
    expect(out.message).toMatch(/paused/);
    expect(traffic.changes).toBe(0);
    expect(state()?.paused).toBe(true);
  });

  it('keeps a pause written while the refused target was being re-checked', async () => {
    await decidedFailover(0);
    prober.set('api', 'secondary', false);
    pauseDuringRecheck();

    const out = await runFlip(deps, 'failover', { service: 'api', epoch: 0 });

    expect(out.outcome).toBe('refused');
    expect(state()).toMatchObject({
      paused: true,
      active: 'primary',
      moving: null,
      targets: { secondary: { status: 'down' } },
    });
  });

  it('never takes a refused flip back over a newer epoch written meanwhile', async () => {
    await decidedFailover(0);
    prober.set('api', 'secondary', false);
    const probe = prober.probeTarget.bind(prober);
    prober.probeTarget = async (service, target) => {
      const current = store.items.get('api');
      if (current) {
        await store.save({ ...current.value, active: 'secondary', moving: null, epoch: 1 }, current.version);
      }
      return probe(service, target);
    };

    await runFlip(deps, 'failover', { service: 'api', epoch: 0 });

    expect(state()).toMatchObject({ active: 'secondary', moving: null, epoch: 1 });
  });

  it('asks an operator to wait while a flip the other way is under way, unless forced', async () => {
    await store.save(
      {
        ...initialState('api', 'primary'),
        active: 'secondary',
        moving: { to: 'primary', since: 1 },
        epoch: 1,
      },
      null,
    );
    traffic.handEdit('api', 'secondary');

    const waiting = await runFlip(deps, 'failover', { service: 'api', requestedBy: 'alice', reason: 'x' });
    const forced = await runForcedFlip(deps, {
      direction: 'failover',
      service: 'api',
      requestedBy: 'alice',
      reason: 'x',
    });

    expect(waiting.outcome).toBe('stale');
    expect(waiting.message).toMatch(/move of api to the primary is under way/);
    expect(forced.outcome).toBe('already-active');
  });

  it("claims an operator's failover without moving the active target or setting its hold before it lands", async () => {
    let during: unknown;
    const flip = traffic.flip.bind(traffic);
    traffic.flip = async (s, to, expected) => {
      during = structuredClone(state());
      return flip(s, to, expected);
    };

    await runFlip(deps, 'failover', { service: 'api', requestedBy: 'alice', reason: 'db upgrade' });

    expect(during).toMatchObject({
      active: 'primary',
      moving: null,
      hold: null,
      claim: { to: 'secondary', by: 'alice', hold: { kind: 'planned-failover', by: 'alice' } },
    });
    expect(state()).toMatchObject({
      active: 'secondary',
      moving: null,
      epoch: 1,
      claim: null,
      hold: { kind: 'planned-failover', by: 'alice' },
    });
  });

  describe('a request no caller can forge (issue #18)', () => {
    const forgedEvidence = {
      primary: [{ check: 'http GET https://primary/health', ok: true, latencyMs: 1, reason: 'status 200' }],
      secondary: [
        { check: 'http GET https://secondary/health', ok: true, latencyMs: 1, reason: 'status 200' },
      ],
    };

    it('refuses force, the watchdog identity and made-up evidence on the failover function', async () => {
      await store.save({ ...initialState('api', 'primary'), paused: true }, null);
      prober.set('api', 'secondary', false);

      const out = await runFlip(deps, 'failover', {
        service: 'api',
        force: true,
        requestedBy: 'watchdog',
        evidence: forgedEvidence,
        reason: 'routine\n2026-12-07T00:00:00Z failover epoch 9 by watchdog: all healthy',
      });

      expect(out.outcome).toBe('rejected');
      expect(out.errors?.join('\n')).toMatch(/reserved for the controller/);
      expect(state()).toMatchObject({ active: 'primary', moving: null, paused: true, epoch: 0 });
      expect(traffic.changes).toBe(0);
      expect(notifier.sent).toEqual([]);
    });

    it('refuses force on the failover function, naming the forced-flip function instead', async () => {
      const out = await runFlip(deps, 'failover', {
        service: 'api',
        force: true,
        requestedBy: 'alice',
        reason: 'x',
      });

      expect(out.outcome).toBe('rejected');
      expect(out.message).toMatch(/forced flips go through the 'forced' function/);
      expect(traffic.changes).toBe(0);
    });

    it('refuses evidence on an operator request and on a forced one', async () => {
      const operator = await runFlip(deps, 'failover', {
        service: 'api',
        requestedBy: 'alice',
        reason: 'x',
        evidence: forgedEvidence,
      });
      const forced = await runForcedFlip(deps, {
        direction: 'failover',
        service: 'api',
        reason: 'x',
        evidence: forgedEvidence,
      });

      expect(operator.errors).toEqual([
        "evidence: only the watchdog's own requests (with an epoch) carry evidence; leave it out",
      ]);
      expect(forced.outcome).toBe('rejected');
      expect(forced.message).toMatch(/unknown field 'evidence'/);
    });

    it('keeps a forced reason to one plain line in the state, audit and notification', async () => {
      prober.set('api', 'secondary', false);

      const out = await runForcedFlip(deps, {
        direction: 'failover',
        service: 'api',
        requestedBy: 'mallory\u202e',
        reason: 'fire\r\n2026-12-07 failover by watchdog (automatic)\u001b]0;owned\u0007',
      });

      expect(out.outcome).toBe('failed-over');
      const [sent] = notifier.sent;
      for (const text of [sent?.reason, sent?.requestedBy, store.audit[0]?.reason, state()?.hold?.reason]) {
        expect(text).toBeDefined();
        // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence.
        expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      }
      expect(state()?.hold).toMatchObject({
        kind: 'forced',
        by: 'mallory',
        reason: 'fire 2026-12-07 failover by watchdog (automatic) ]0;owned',
      });
      // The evidence is the controller's own re-check, not anything the caller said.
      expect(sent?.evidence?.secondary).toEqual(prober.target('api', 'secondary').checks);
    });
  });

  describe('when Route 53 does not take the change (issue #17)', () => {
    it("releases an operator's failover claim and sets no hold when Route 53 refuses it", async () => {
      traffic.failing = 'no';

      const out = await runFlip(deps, 'failover', {
        service: 'api',
        requestedBy: 'alice',
        reason: 'db upgrade',
      });

      expect(out.outcome).toBe('failed');
      expect(out.message).toContain('Nothing moved: the claim was released');
      expect(state()).toMatchObject({
        active: 'primary',
        moving: null,
        epoch: 0,
        claim: null,
        hold: null,
        lastFailure: { to: 'secondary', by: 'alice', epoch: 0 },
      });
      expect(notifier.sent.map((n) => n.event)).toEqual(['failover-failed']);
      expect(store.audit.map((e) => [e.kind, e.outcome, e.requestedBy])).toEqual([
        ['failover', 'failed', 'alice'],
      ]);
      expect(store.audit[0]?.details).toMatchObject({ recordsMoved: 'no', claimReleased: true });
    });

    it('lets the next failover through once Route 53 takes changes again', async () => {
      traffic.failing = 'no';
      await runFlip(deps, 'failover', { service: 'api', requestedBy: 'alice' });
      traffic.failing = null;
      await decidesAgain(2);

      const out = await runFlip(deps, 'failover', { service: 'api', epoch: 0, reason: 'primary down' });

      expect(out.outcome).toBe('failed-over');
      expect(state()).toMatchObject({
        active: 'secondary',
        moving: null,
        epoch: 1,
        lastFailure: null,
        claim: null,
      });
    });

    it('returns a refused automatic failover to the primary with nothing moving, so the next round decides again', async () => {
      traffic.failing = 'no';
      await decidedFailover(0);

      const first = await runFlip(deps, 'failover', { service: 'api', epoch: 0 });
      await decidesAgain(2);
      const second = await runFlip(deps, 'failover', { service: 'api', epoch: 0 });

      expect([first.outcome, second.outcome]).toEqual(['failed', 'failed']);
      expect(state()).toMatchObject({ active: 'primary', moving: null, epoch: 0 });
      // One failing streak, one notification; every attempt audited.
      expect(notifier.sent.map((n) => n.event)).toEqual(['failover-failed']);
      expect(store.audit.filter((e) => e.outcome === 'failed')).toHaveLength(2);
    });

    it("keeps an operator's failback claim and the standing hold when Route 53 refuses the failback", async () => {
      const hold = { kind: 'planned-failover', by: 'alice', reason: 'db', at: 1 } as const;
      await store.save({ ...initialState('api', 'primary'), active: 'secondary', epoch: 1, hold }, null);
      traffic.handEdit('api', 'secondary');
      traffic.failing = 'no';

      const out = await runFlip(deps, 'failback', { service: 'api', requestedBy: 'bob' });

      expect(out.outcome).toBe('failed');
      expect(state()).toMatchObject({ active: 'secondary', moving: null, epoch: 1, claim: null, hold });
      expect(notifier.sent.map((n) => n.event)).toEqual(['failback-failed']);
    });

    it('keeps the claim and fails the invocation when the change may still land', async () => {
      traffic.failing = 'unknown';

      await expect(runFlip(deps, 'failover', { service: 'api', requestedBy: 'alice' })).rejects.toThrow(
        /Whether the change landed is unknown/,
      );

      expect(state()).toMatchObject({
        active: 'primary',
        moving: null,
        hold: null,
        claim: { to: 'secondary', by: 'alice' },
      });
      expect(store.audit[0]?.details).toMatchObject({ recordsMoved: 'unknown', claimReleased: false });
    });
  });

  it("releases an operator's claim when the records changed underneath, restoring the hold it replaced", async () => {
    const flip = traffic.flip.bind(traffic);
    traffic.flip = async (s, to, expected) => {
      traffic.handEdit('api', 'primary', 50);
      return flip(s, to, expected);
    };

    const out = await runFlip(deps, 'failover', { service: 'api', requestedBy: 'alice', reason: 'x' });

    expect(out.outcome).toBe('stale');
    expect(state()).toMatchObject({ active: 'primary', moving: null, epoch: 0, claim: null, hold: null });
  });

  it('rejects an unknown service by name, listing the configured ones', async () => {
    const out = await runFlip(deps, 'failover', { service: 'nope' });

    expect(out).toMatchObject({
      outcome: 'rejected',
      errors: ["service: unknown service 'nope'; configured: api"],
    });
  });

  it('still records the flip when the audit write fails', async () => {
    await decidedFailover(0);
    store.appendAudit = async () => {
      throw new Error('DynamoDB unavailable');
    };

    const out = await runFlip(deps, 'failover', { service: 'api', epoch: 0 });

    expect(out.outcome).toBe('failed-over');
    expect(state()).toMatchObject({ active: 'secondary', moving: null });
  });
});

describe('runFlip over three targets', () => {
  const THREE = `
services:
  - name: api
    hostedZoneId: Z123
    recordName: api.example.com
    recordType: CNAME
    targets:
      - { id: eu-west, setIdentifier: blue, checks: [{ http: { url: "https://eu.example.com/health" } }] }
      - { id: us-east, setIdentifier: green, checks: [{ http: { url: "https://us.example.com/health" } }] }
      - { id: ap-south, setIdentifier: red, checks: [{ http: { url: "https://ap.example.com/health" } }] }
`;
  let store: MemoryStore;
  let traffic: MemoryTraffic;
  let deps: FlipDeps;

  beforeEach(() => {
    const config = parseConfig(THREE, 'test.yml', {});
    store = new MemoryStore();
    traffic = new MemoryTraffic(config.services);
    deps = {
      services: config.services,
      store,
      traffic,
      prober: new ScriptedProber(),
      notifier: new RecordingNotifier(),
      clock: new ManualClock(),
      log: silentLogger,
      metrics: noMetrics,
    };
  });

  it("moves an operator's failover to the target it names, past the next one", async () => {
    const out = await runFlip(deps, 'failover', {
      service: 'api',
      to: 'ap-south',
      requestedBy: 'alice',
      reason: 'eu and us maintenance',
    });

    expect(out).toMatchObject({ outcome: 'failed-over', from: 'eu-west', to: 'ap-south', epoch: 1 });
    expect(store.items.get('api')?.value).toMatchObject({ active: 'ap-south', moving: null, claim: null });
    expect(traffic.weights.get('api')).toEqual({ 'eu-west': 0, 'us-east': 0, 'ap-south': 100 });
  });

  it('fails over to the second target when the request names none', async () => {
    const out = await runFlip(deps, 'failover', { service: 'api', requestedBy: 'alice', reason: 'x' });

    expect(out).toMatchObject({ outcome: 'failed-over', from: 'eu-west', to: 'us-east' });
    expect(traffic.weights.get('api')).toEqual({ 'eu-west': 0, 'us-east': 100, 'ap-south': 0 });
  });

  it('rejects a target the service does not have, listing the ones it has', async () => {
    const out = await runFlip(deps, 'failover', { service: 'api', to: 'mars', requestedBy: 'alice' });

    expect(out).toMatchObject({
      outcome: 'rejected',
      errors: ["to: 'mars' is not a target of api; its targets: eu-west, us-east, ap-south"],
    });
    expect(traffic.changes).toBe(0);
  });
});
