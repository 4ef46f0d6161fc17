/**
 * One set of limits (shared/domain/limits.ts): whatever the loader accepts, the flip functions'
 * parser accepts from the watchdog. Issue #18 item 4: a valid config with a 600-character URL or 60
 * checks made every automatic failover request `rejected`, silently.
 */
import { describe, expect, it } from 'vitest';
import { parseFlipRequest } from '../../../shared/controller/flip-request.ts';
import { runWatchdog } from '../../../shared/controller/watchdog.ts';
import {
  type Check,
  type ControllerConfig,
  type ServiceConfig,
  type TargetId,
  targetOf,
  targetOrder,
} from '../../../shared/domain/config.ts';
import { initialState } from '../../../shared/domain/initial-state.ts';
import {
  MAX_ALARM_NAME_CHARS,
  MAX_CHECK_LABEL_CHARS,
  MAX_CHECKS_PER_TARGET,
  MAX_HTTP_URL_CHARS,
  MAX_SERVICE_NAME_CHARS,
  MAX_TARGETS,
  MAX_TCP_HOST_CHARS,
} from '../../../shared/domain/limits.ts';
import type { FlipInvocation, Invoker, Prober } from '../../../shared/domain/ports.ts';
import type { CheckResult, Observation, TargetObservation } from '../../../shared/domain/state.ts';
import { checkLabel } from '../../../shared/probes/check-label.ts';
import { describeConnectionError } from '../../../shared/probes/connection-errors.ts';
import { shortenReason } from '../../../shared/probes/reason-text.ts';
import { silentLogger } from '../../../shared/telemetry/log.ts';
import { ManualClock, MemoryStore, MemoryTraffic, RecordingNotifier } from '../../support/in-memory-ports.ts';
import { aService, aServiceChecking, parse, pathsAndMessages, problemsIn } from './sample-config.ts';

const CHECK = 'services[0].primary.checks[0]';
/** A URL of exactly the limit; `tag` (two characters) keeps the hosts, and so the reasons, distinct. */
const longestUrl = (tag = '00') => `https://${tag}${'a'.repeat(MAX_HTTP_URL_CHARS - 'https:///00'.length)}/`;
const LONGEST_URL = longestUrl();
const LONGEST_ZONED_IPV6 = `fe80::1%${'z'.repeat(MAX_TCP_HOST_CHARS - 'fe80::1%'.length)}`;
const LONGEST_ALARM = 'x'.repeat(MAX_ALARM_NAME_CHARS);

/** The largest target the loader accepts: every check as long as its fields allow, and as many as allowed. */
function largestChecks(side: string): Record<string, unknown>[] {
  return Array.from({ length: MAX_CHECKS_PER_TARGET }, (_, index) => {
    // The first three failures are the ones a flip reason quotes: make them the longest.
    switch (index < 3 ? 0 : index % 4) {
      case 0:
        return { http: { url: longestUrl(String(index).padStart(2, '0')), method: 'HEAD' } };
      case 1:
        return { http: { url: `https://${side}.example.com/${'p'.repeat(400)}?check=${index}` } };
      case 2:
        return { tcp: { host: LONGEST_ZONED_IPV6, port: 65_000 + index } };
      default:
        return {
          cloudwatchAlarm: { alarmName: `${LONGEST_ALARM.slice(3)}${String(index).padStart(3, '0')}` },
        };
    }
  });
}

/**
 * Fails every check of the targets it is told to, each with the longest reason its probe can give:
 * an http check cannot resolve its (longest) host, the others carry a cut 200-character reason.
 */
class LongestReasonsProber implements Prober {
  readonly failing = new Set<TargetId>();

  observe(service: ServiceConfig, target: TargetId): TargetObservation {
    const ok = !this.failing.has(target);
    const checks = targetOf(service, target).checks.map((check, index): CheckResult => {
      const reason = ok ? 'status 200' : longestReason(check, index);
      return { check: checkLabel(check), ok, latencyMs: 29_999, reason };
    });
    return { ok, checks };
  }
  async probeServices(services: readonly ServiceConfig[]) {
    return new Map<string, Observation>(
      services.map((s) => [
        s.name,
        {
          at: 0,
          targets: Object.fromEntries(targetOrder(s).map((id) => [id, this.observe(s, id)])),
        },
      ]),
    );
  }
  async probeTarget(service: ServiceConfig, target: TargetId) {
    return this.observe(service, target);
  }
}

function longestReason(check: Check, index: number): string {
  if (check.kind === 'http') {
    const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${check.url}`), { code: 'ENOTFOUND' });
    return describeConnectionError(error, new URL(check.url).hostname);
  }
  return shortenReason(`${index} ${'reason '.repeat(100)}`);
}

class RecordingInvoker implements Invoker {
  readonly payloads: FlipInvocation[] = [];
  async invoke(_fn: 'failover' | 'failback', payload: FlipInvocation) {
    this.payloads.push(payload);
  }
}

/**
 * The flip requests the real watchdog sends over `minutes` scheduled runs: healthy for the first
 * minute, then with `failing` down. With `activeSecondary`, traffic starts on the secondary (an
 * hour after a failover), so a dead secondary makes it fail back at once.
 */
async function watchdogRequests(
  config: ControllerConfig,
  failing: TargetId,
  options: { readonly activeSecondary?: boolean; readonly minutes?: number } = {},
) {
  const clock = new ManualClock();
  const invoker = new RecordingInvoker();
  const prober = new LongestReasonsProber();
  const store = new MemoryStore();
  const traffic = new MemoryTraffic(config.services);
  for (const service of config.services) {
    if (!options.activeSecondary) continue;
    const state = { ...initialState(service.name, 'primary'), active: 'secondary', epoch: 1 };
    store.items.set(service.name, { value: { ...state, lastFlipAt: clock.now() - 3_600_000 }, version: 1 });
    traffic.handEdit(service.name, 'secondary', service.activeWeight);
  }
  const deps = {
    services: config.services,
    store,
    traffic,
    prober,
    invoker,
    notifier: new RecordingNotifier(),
    clock,
    log: silentLogger,
    metrics: { put: () => {} },
  };
  // Long enough for the first request and its resend after the pending timeout (90 s).
  for (let minute = 0; minute < (options.minutes ?? 5); minute++) {
    const deadline = clock.now() + 60_000;
    await runWatchdog(
      deps,
      { time: new Date(clock.now()).toISOString() },
      {
        remainingMs: () => deadline - clock.now(),
      },
    );
    if (minute === 0) prober.failing.add(failing);
  }
  // The invoker sends JSON: the flip function parses what arrives on the wire.
  return invoker.payloads.map((payload) => JSON.parse(JSON.stringify(payload)) as unknown);
}

function largestConfig(): ControllerConfig {
  return parse({
    defaults: { probeIntervalSeconds: 30, failureThreshold: 1, recoveryThreshold: 1 },
    services: [
      aService('s'.repeat(MAX_SERVICE_NAME_CHARS), {
        recordName: 'api.example.com',
        primary: { setIdentifier: 'primary', checks: largestChecks('primary') },
        secondary: { setIdentifier: 'secondary', checks: largestChecks('secondary') },
      }),
    ],
  });
}

/** The largest list the loader accepts: as many targets as allowed, each with the largest checks. */
function largestListConfig(): ControllerConfig {
  const ids = Array.from({ length: MAX_TARGETS }, (_, index) => `target-${index}`);
  const {
    primary: _primary,
    secondary: _secondary,
    ...service
  } = aService('s'.repeat(MAX_SERVICE_NAME_CHARS), {
    recordName: 'api.example.com',
  });
  return parse({
    defaults: { probeIntervalSeconds: 30, failureThreshold: 1, recoveryThreshold: 1 },
    services: [
      { ...service, targets: ids.map((id) => ({ id, setIdentifier: id, checks: largestChecks(id) })) },
    ],
  });
}

describe('configuration limits', () => {
  it('produces, from the largest configuration it accepts, failover requests the flip function accepts', async () => {
    const config = largestConfig();

    const requests = await watchdogRequests(config, 'primary');

    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(requests)).toContain('failover (epoch 0) not confirmed');
    const labels = config.services[0]?.targets[0]?.checks.map(checkLabel) ?? [];
    expect(Math.max(...labels.map((label) => label.length))).toBe(`http HEAD ${LONGEST_URL}`.length);
    for (const request of requests) {
      expect(parseFlipRequest(request)).toMatchObject({ ok: true });
    }
  });

  it(`produces, from a targets list of ${MAX_TARGETS}, failover requests the flip function accepts`, async () => {
    const config = largestListConfig();

    const requests = await watchdogRequests(config, 'target-0');

    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(requests).toContainEqual(expect.objectContaining({ to: 'target-1', epoch: 0 }));
    for (const request of requests) {
      const parsed = parseFlipRequest(request);
      expect.soft(parsed.ok ? [] : parsed.errors).toEqual([]);
      // Lambda refuses an asynchronous invocation payload over 256 KB.
      expect.soft(Buffer.byteLength(JSON.stringify(request))).toBeLessThanOrEqual(256 * 1024);
    }
  });

  it('produces, from the largest configuration, emergency failback requests the flip function accepts', async () => {
    const requests = await watchdogRequests(largestConfig(), 'secondary', { activeSecondary: true });

    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(requests)).toContain('failback (epoch 1) not confirmed');
    expect(JSON.stringify(requests)).toContain('failing back now, whatever the dwell');
    for (const request of requests) {
      expect(parseFlipRequest(request)).toMatchObject({ ok: true });
    }
  });

  it(`refuses a target with more than ${MAX_CHECKS_PER_TARGET} checks, naming the field and a way out`, () => {
    const checks = Array.from({ length: MAX_CHECKS_PER_TARGET + 1 }, (_, index) => ({
      tcp: { host: 'db.internal', port: 1000 + index },
    }));

    const issues = problemsIn({
      services: [aService('payments-api', { secondary: { setIdentifier: 's', checks } })],
    });

    expect(pathsAndMessages(issues)).toEqual([
      `services[0].secondary.checks: must list at most ${MAX_CHECKS_PER_TARGET} checks (each one's result travels in the flip request), got ${MAX_CHECKS_PER_TARGET + 1}; group endpoints behind one health URL or a CloudWatch alarm`,
    ]);
  });

  it('refuses a URL one character over the limit, as written or once normalized', () => {
    const written = problemsIn({ services: [aServiceChecking({ http: { url: `${LONGEST_URL}x` } })] });
    // 200 "é" are 200 characters as written and 1,200 percent-encoded ("%C3%A9") in the label.
    const encoded = problemsIn({
      services: [aServiceChecking({ http: { url: `https://a.example.com/${'é'.repeat(200)}` } })],
    });

    expect(pathsAndMessages(written)).toEqual([
      `${CHECK}.http.url: must be at most ${MAX_HTTP_URL_CHARS} characters (it names the check in every alert and flip request), got ${MAX_HTTP_URL_CHARS + 1}`,
    ]);
    expect(pathsAndMessages(encoded)[0]).toMatch(
      new RegExp(
        `^${CHECK.replace(/[.[\]]/g, '\\$&')}\\.http\\.url: must be at most ${MAX_HTTP_URL_CHARS} characters .*, and is 1222 once normalized`,
      ),
    );
  });

  it('refuses a tcp host and an alarm name longer than a label can carry', () => {
    const host = problemsIn({
      services: [aServiceChecking({ tcp: { host: `${LONGEST_ZONED_IPV6}z`, port: 5432 } })],
    });
    const alarm = problemsIn({
      services: [aServiceChecking({ cloudwatchAlarm: { alarmName: `${LONGEST_ALARM}x` } })],
    });

    expect(pathsAndMessages(host)).toEqual([
      `${CHECK}.tcp.host: must be at most ${MAX_TCP_HOST_CHARS} characters (a DNS name or an IP address), got ${MAX_TCP_HOST_CHARS + 1}`,
    ]);
    expect(pathsAndMessages(alarm)).toEqual([
      `${CHECK}.cloudwatchAlarm.alarmName: must be at most ${MAX_ALARM_NAME_CHARS} characters, got ${MAX_ALARM_NAME_CHARS + 1}`,
    ]);
  });

  it('keeps the longest label of every check kind within the flip request limit', () => {
    const config = parse({
      services: [aService('payments-api', { primary: { setIdentifier: 'p', checks: largestChecks('p') } })],
    });

    const labels = config.services[0]?.targets[0]?.checks.map(checkLabel) ?? [];

    expect(labels.map((label) => label.split(' ')[0])).toEqual(
      expect.arrayContaining(['http', 'tcp', 'alarm']),
    );
    for (const label of labels) expect(label.length).toBeLessThanOrEqual(MAX_CHECK_LABEL_CHARS);
  });
});
