import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  type Check,
  type CloudWatchAlarmCheck,
  type ServiceConfig,
  type TargetId,
  targetOf,
} from '../domain/config.ts';
import { type Clock, type Prober, systemClock } from '../domain/ports.ts';
import type { CheckResult, Observation, TargetObservation } from '../domain/state.ts';
import { gateOfAlarm, probeAlarms } from './alarm-probe.ts';
import { checkLabel } from './check-label.ts';
import { createLimiter } from './concurrency-limit.ts';
import { ProberSetupError } from './errors.ts';
import { type ReadHeaders, readSecretHeaders, type SecretLookup } from './header-secrets.ts';
import { type HttpProbeOptions, probeHttp } from './http-probe.ts';
import { probeTcp } from './tcp-probe.ts';
import { createTrustStore } from './trust-store.ts';

export interface ProberOptions {
  /** Made once at module scope by the caller; needed only for `cloudwatch-alarm` checks. */
  readonly cloudwatch?: CloudWatchClient;
  /** Most HTTP/TCP probes in flight at once, across rounds. Default 1000. */
  readonly concurrency?: number;
  /** Stamps each observation (`at`) and judges certificate expiry. Default: the system clock. */
  readonly clock?: Clock;
  /** An extra CA (PEM) trusted beside Node's defaults, for endpoints with internal certificates. */
  readonly ca?: string | Buffer;
  /**
   * Reads `${ssm:/path}` header values; pass the runtime's cached resolver so each parameter is
   * fetched once per cold start. Needed only when a check's header uses one.
   */
  readonly secrets?: SecretLookup;
  /** Told when a service is left out of a round because a header secret could not be read. */
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * Enough for 1,000 endpoints that all black-hole to cost one timeout, not several, while keeping the
 * open sockets bounded (a Lambda allows 1,024 file descriptors).
 */
export const DEFAULT_PROBE_CONCURRENCY = 1000;

/** How long the read of a ramp's step alarm may take (a slow read holds the step). */
const STEP_ALARM_TIMEOUT_MS = 3000;
const noGate: CheckResult = { check: 'step alarm', ok: false, latencyMs: 0, reason: 'not read' };

/**
 * Builds the `Prober` the watchdog and the flip functions use. A round probes every check once (no
 * retries), HTTP and TCP checks through one bounded queue, all alarm checks of the round in one
 * batched DescribeAlarms call. A target is healthy in a round when every one of its checks passed.
 *
 * Header values from SSM are read before the round. A service whose header secret cannot be read
 * is left out of `probeServices` (logged): the controller cannot tell, so it decides nothing rather
 * than call a healthy primary down. `probeTarget` fails that check instead, so a flip refuses to
 * move traffic to a target it could not verify.
 *
 * @example
 * const prober = createProber({ cloudwatch: new CloudWatchClient({}) });
 * const observations = await prober.probeServices(config.services);
 * observations.get('payments-api')?.targets.primary?.ok;
 */
export function createProber(options: ProberOptions = {}): Prober {
  const concurrency = options.concurrency ?? DEFAULT_PROBE_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ProberSetupError(`prober concurrency must be a whole number of at least 1, got ${concurrency}`);
  }
  const clock = options.clock ?? systemClock;
  const limit = createLimiter(concurrency);
  const httpOptions: HttpProbeOptions = {
    clock,
    ...(options.ca === undefined ? {} : { secureContext: createTrustStore(options.ca) }),
  };

  /**
   * Starts a round over `checks`: the alarm checks' batched call goes out at once; the returned
   * function probes one target's checks within that round.
   */
  const startRound = (checks: readonly Check[], secretHeaders: ReadonlyMap<Check, ReadHeaders>) => {
    const alarmResults = batchAlarms(options.cloudwatch, checks);
    const probeCheck = (check: Check): Promise<CheckResult> => {
      if (check.kind === 'cloudwatch-alarm') return alarmResults.get(check) ?? unprobedAlarm(check);
      if (check.kind === 'tcp') return limit(() => probeTcp(check));
      const read = secretHeaders.get(check);
      if (read !== undefined && 'problem' in read) {
        return Promise.resolve({ check: checkLabel(check), ok: false, latencyMs: 0, reason: read.problem });
      }
      const headers = read === undefined ? {} : { headers: read.headers };
      return limit(() => probeHttp(check, { ...httpOptions, ...headers }));
    };
    return async (targetChecks: readonly Check[]): Promise<TargetObservation> => {
      const results = await Promise.all(targetChecks.map(probeCheck));
      return { ok: results.every((result) => result.ok), checks: results };
    };
  };

  return {
    async probeServices(
      services: readonly ServiceConfig[],
      gates: ReadonlySet<string> = new Set(),
    ): Promise<Map<string, Observation>> {
      const at = clock.now();
      const checksOf = (service: ServiceConfig) => service.targets.flatMap((target) => target.checks);
      const secretHeaders = await readSecretHeaders(services.flatMap(checksOf), options.secrets);
      const observable = services.filter((service) => {
        const problems = checksOf(service).flatMap((check) => {
          const read = secretHeaders.get(check);
          return read !== undefined && 'problem' in read ? [`${checkLabel(check)}: ${read.problem}`] : [];
        });
        if (problems.length === 0) return true;
        options.log?.('service not probed: a header secret could not be read; nothing is decided for it', {
          service: service.name,
          problems,
        });
        return false;
      });
      // A ramp's step alarm rides in the round's one batched DescribeAlarms (issue #13).
      const gateChecks = new Map<string, CloudWatchAlarmCheck>();
      for (const service of observable) {
        const alarmName = service.policy.stepAlarm;
        if (gates.has(service.name) && alarmName) {
          gateChecks.set(service.name, {
            kind: 'cloudwatch-alarm',
            alarmName,
            timeoutMs: STEP_ALARM_TIMEOUT_MS,
          });
        }
      }
      const observe = startRound([...observable.flatMap(checksOf), ...gateChecks.values()], secretHeaders);
      const entries = await Promise.all(
        observable.map(async (service): Promise<[string, Observation]> => {
          const seen = await Promise.all(
            service.targets.map(async (target) => [target.id, await observe(target.checks)] as const),
          );
          const gateCheck = gateChecks.get(service.name);
          const gate =
            gateCheck === undefined
              ? {}
              : { gate: gateOfAlarm((await observe([gateCheck])).checks[0] ?? noGate) };
          return [service.name, { at, targets: Object.fromEntries(seen), ...gate }];
        }),
      );
      return new Map(entries);
    },
    async probeTarget(service: ServiceConfig, target: TargetId): Promise<TargetObservation> {
      const { checks } = targetOf(service, target);
      return startRound(checks, await readSecretHeaders(checks, options.secrets))(checks);
    },
  };
}

/** One batched DescribeAlarms for every alarm check of a round; each check's result by the check. */
function batchAlarms(
  cloudwatch: CloudWatchClient | undefined,
  checks: readonly Check[],
): Map<CloudWatchAlarmCheck, Promise<CheckResult>> {
  const alarmChecks = checks.filter((check) => check.kind === 'cloudwatch-alarm');
  const byCheck = new Map<CloudWatchAlarmCheck, Promise<CheckResult>>();
  if (alarmChecks.length === 0) return byCheck;
  const round = probeAlarms(cloudwatch, alarmChecks);
  alarmChecks.forEach((check, position) => {
    byCheck.set(
      check,
      round.then((results) => results[position] ?? unprobedAlarm(check)),
    );
  });
  return byCheck;
}

/** Never expected: every alarm check of a round is in its batch. Kept so a gap fails, not throws. */
function unprobedAlarm(check: CloudWatchAlarmCheck): Promise<CheckResult> {
  return Promise.resolve({ check: checkLabel(check), ok: false, latencyMs: 0, reason: 'alarm not probed' });
}
