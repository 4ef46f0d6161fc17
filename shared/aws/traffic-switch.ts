/** The Route 53 traffic switch: reads and flips a service's pair of weighted records. */
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import type { ServiceConfig, TargetId } from '../domain/config.ts';
import {
  assessRecords,
  type FlipPlan,
  FlipPlanError,
  planFlip,
  type RecordSetChange,
} from '../domain/flip-plan.ts';
import {
  type Clock,
  type FlipResult,
  type ReadResult,
  systemClock,
  type TrafficReading,
  type TrafficSwitch,
  type ZoneFlip,
} from '../domain/ports.ts';
import {
  answeredByRoute53,
  describeRoute53Error,
  isNoSuchHostedZone,
  isRetryableRoute53Error,
  TrafficReadError,
} from './route53-errors.ts';
import { classifyWeightedSets, listRecordSets, listZone, setsOf } from './route53-records.ts';

export interface TrafficSwitchOptions {
  /**
   * Built once by the handler; it honours `AWS_ENDPOINT_URL_ROUTE_53`. Keep the SDK's default retries
   * (`maxAttempts` 3): reads and GetChange use them. The change call does not (see below).
   */
  readonly client: Route53Client;
  readonly clock?: Clock;
  /** 0 <= x < 1, for the backoff jitter. */
  readonly random?: () => number;
  /** Total time `flip` may spend re-sending after throttling or 5xx. Default 20 000 ms. */
  readonly maxRetryMs?: number;
}

export interface Route53TrafficSwitch extends TrafficSwitch {
  /**
   * Read several services with as few calls as possible (the account shares 5 requests/s): one
   * listing of each hosted zone that holds several of them, the usual read for a zone with one.
   * Results by service name. Throws `TrafficReadError` when a zone cannot be listed.
   */
  readAll(services: readonly ServiceConfig[]): Promise<Map<string, ReadResult>>;
}

const DEFAULT_MAX_RETRY_MS = 20_000;
/** Route 53 allows 5 requests/s per account, shared by every caller: back off from half a second. */
const RETRY_BASE_MS = 500;
const RETRY_CAP_MS = 5_000;
const POLL_FIRST_MS = 1_000;
const POLL_CAP_MS = 5_000;

/**
 * Create the Route 53 traffic switch.
 *
 * `flip` sends one compare-and-swap batch (DELETE each record as read, CREATE it with the new weight).
 * Why the change call bypasses the SDK's own retries, and everything else keeps them:
 *
 *   send batch ──5xx after Route 53 applied it──▶ SDK re-sends the same batch ──▶ InvalidChangeBatch
 *
 * The blind re-send can never overwrite anything (its DELETEs no longer match), but it turns a
 * success into a misleading error, spends up to 3 requests of the account's 5/s, and sleeps outside
 * `maxRetryMs`. So the change call makes one attempt; after any error the switch re-reads and judges
 * from what is there, and re-sends (with jittered exponential backoff, within `maxRetryMs`) only
 * when the records are still exactly as expected and the error was throttling or a 5xx.
 *
 * @example
 * const traffic = createTrafficSwitch({ client: new Route53Client({}) });
 * const read = await traffic.read(service);
 * if (read.ok) {
 *   const result = await traffic.flip(service, 'secondary', read.reading);
 *   if (result.outcome === 'flipped' && result.changeId) await traffic.waitInSync(result.changeId, Date.now() + 60_000);
 * }
 */
export function createTrafficSwitch(options: TrafficSwitchOptions): Route53TrafficSwitch {
  const { client } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const maxRetryMs = options.maxRetryMs ?? DEFAULT_MAX_RETRY_MS;

  /** Equal jitter: between half and all of min(cap, base * 2^(attempt-1)). */
  const backoff = (attempt: number): number => {
    const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  };

  async function read(service: ServiceConfig): Promise<ReadResult> {
    try {
      const sets = await listRecordSets(client, service.hostedZoneId, service.recordName, service.recordType);
      return classifyWeightedSets(service, sets);
    } catch (error) {
      if (isNoSuchHostedZone(error)) {
        return noSuchZone(service);
      }
      throw new TrafficReadError(service.name, service.hostedZoneId, error);
    }
  }

  async function readAll(services: readonly ServiceConfig[]): Promise<Map<string, ReadResult>> {
    const zones = new Map<string, ServiceConfig[]>();
    for (const service of services) {
      zones.set(service.hostedZoneId, [...(zones.get(service.hostedZoneId) ?? []), service]);
    }
    const results = new Map<string, ReadResult>();
    for (const [zoneId, inZone] of zones) {
      // One unreadable zone must not hide the others: its services get an `unavailable` result.
      const unavailable = (error: unknown) => {
        const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        for (const service of inZone) {
          results.set(service.name, {
            ok: false,
            reason: 'unavailable',
            message: `Service "${service.name}": hosted zone ${zoneId} could not be read (${why}).`,
          });
        }
      };
      const [only] = inZone;
      if (inZone.length === 1 && only !== undefined) {
        const outcome = await tryRead(only);
        if ('result' in outcome) results.set(only.name, outcome.result);
        else unavailable(outcome.error);
        continue;
      }
      let sets: ResourceRecordSet[];
      try {
        sets = await listZone(client, zoneId);
      } catch (error) {
        if (isNoSuchHostedZone(error)) {
          for (const service of inZone) results.set(service.name, noSuchZone(service));
        } else {
          unavailable(error);
        }
        continue;
      }
      for (const service of inZone)
        results.set(service.name, classifyWeightedSets(service, setsOf(service, sets)));
    }
    return results;
  }

  /** A read that reports a failure instead of throwing it. */
  async function tryRead(service: ServiceConfig): Promise<{ result: ReadResult } | { error: unknown }> {
    try {
      return { result: await read(service) };
    } catch (error) {
      return { error: error instanceof TrafficReadError ? error.cause : error };
    }
  }

  async function sendChange(
    service: ServiceConfig,
    plan: FlipPlan & { kind: 'flip' },
  ): Promise<string | null> {
    const command = new ChangeResourceRecordSetsCommand({
      HostedZoneId: service.hostedZoneId,
      ChangeBatch: { Comment: plan.comment, Changes: plan.changes.map(toSdkChange) },
    });
    // One attempt only: replaces the client's retry middleware for this command alone (see
    // createTrafficSwitch). Should an SDK release rename it, the SDK's re-sends return: harmless under
    // compare-and-swap, and the integration test with failAfterApply (one change call) then fails.
    command.middlewareStack.add((next) => next, {
      name: 'retryMiddleware',
      step: 'finalizeRequest',
      priority: 'high',
      tags: ['RETRY'],
      override: true,
    });
    const out = await client.send(command);
    const id = out.ChangeInfo?.Id;
    return id === undefined ? null : id.replace(/^\/change\//, '');
  }

  async function confirmAlreadyActive(service: ServiceConfig, to: TargetId): Promise<FlipResult> {
    const found = await tryRead(service);
    if ('error' in found) {
      return {
        outcome: 'error',
        message: `Service "${service.name}": traffic was expected on ${to} already, but re-reading the records failed: ${describeRoute53Error(found.error)}`,
        found: null,
        applied: 'no',
      };
    }
    if (found.result.ok && found.result.reading.active === to) {
      return { outcome: 'already-flipped', reading: found.result.reading };
    }
    return { outcome: 'changed-underneath', found: found.result };
  }

  async function flip(service: ServiceConfig, to: TargetId, expected: TrafficReading): Promise<FlipResult> {
    let plan: FlipPlan;
    try {
      plan = planFlip(expected, to, service.activeWeight);
    } catch (error) {
      if (error instanceof FlipPlanError) {
        return { outcome: 'error', message: error.message, found: null, applied: 'no' };
      }
      throw error;
    }
    if (plan.kind === 'already-active') {
      return confirmAlreadyActive(service, to);
    }

    const startedAt = clock.now();
    const deadline = startedAt + maxRetryMs;
    const pace = { failures: 0 };
    for (let sends = 1; ; sends += 1) {
      let changeError: unknown;
      try {
        const changeId = await sendChange(service, plan);
        return { outcome: 'flipped', changeId, reading: plan.after };
      } catch (error) {
        changeError = error;
      }
      const retryable = isRetryableRoute53Error(changeError);
      const after = await rereadAfterError(service, retryable, deadline, pace);
      const attempts = `${sends} attempt${sends === 1 ? '' : 's'} in ${clock.now() - startedAt} ms`;
      if ('readError' in after) {
        return {
          outcome: 'error',
          message:
            `Service "${service.name}": flip to ${to} failed (${describeRoute53Error(changeError)}; ${attempts}) ` +
            `and the records could not be re-read (${describeRoute53Error(after.readError)}): ` +
            'the state is unknown, read again before acting.',
          found: null,
          applied: 'unknown',
        };
      }
      const { found } = after;
      const verdict = found.ok ? assessRecords(found.reading, expected, to, service.activeWeight) : 'changed';
      if (verdict === 'already-flipped' && found.ok) {
        return { outcome: 'already-flipped', reading: found.reading };
      }
      if (verdict === 'changed') {
        return { outcome: 'changed-underneath', found };
      }
      if (!after.resend) {
        const why = retryable
          ? `gave up after ${attempts} (maxRetryMs ${maxRetryMs})`
          : `${attempts}, not retryable`;
        // Route 53 answered: its error came after it decided, and the re-read after that shows
        // nothing applied. Without an answer (a timeout, a broken connection) the call may still land.
        const answered = answeredByRoute53(changeError);
        return {
          outcome: 'error',
          message:
            `Service "${service.name}": ${answered ? 'Route 53 refused' : 'no answer from Route 53 for'} the flip to ${to}: ` +
            `${describeRoute53Error(changeError)} (${why}). The records are unchanged: ${expected.active} is still active` +
            `${answered ? '.' : ', unless the unanswered change still lands.'}`,
          found,
          applied: answered ? 'no' : 'unknown',
        };
      }
    }
  }

  /**
   * After a failed change call: re-read, so the caller judges from what is there. When the error
   * was retryable, wait first (the re-read then immediately precedes a re-send); a failed re-read
   * is itself retried while retryable. `resend` says the time budget allows another change call.
   */
  async function rereadAfterError(
    service: ServiceConfig,
    retryable: boolean,
    deadline: number,
    pace: { failures: number },
  ): Promise<{ found: ReadResult; resend: boolean } | { readError: unknown }> {
    let mustWait = retryable;
    for (;;) {
      pace.failures += 1;
      const wait = backoff(pace.failures);
      const inBudget = clock.now() + wait <= deadline;
      if (mustWait && inBudget) {
        await clock.sleep(wait);
      }
      const reread = await tryRead(service);
      if ('result' in reread) {
        return { found: reread.result, resend: retryable && inBudget };
      }
      if (!isRetryableRoute53Error(reread.error) || !inBudget) {
        return { readError: reread.error };
      }
      mustWait = true;
    }
  }

  async function waitInSync(
    changeId: string,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<'INSYNC' | 'timeout'> {
    const id = changeId.replace(/^\/change\//, '');
    let delay = POLL_FIRST_MS;
    for (;;) {
      try {
        const out = await client.send(
          new GetChangeCommand({ Id: id }),
          signal ? { abortSignal: signal } : {},
        );
        if (out.ChangeInfo?.Status === 'INSYNC') {
          return 'INSYNC';
        }
      } catch {
        // Tolerated until the deadline: GetChange is only a progress report, the change is already accepted.
      }
      const remaining = deadline - clock.now();
      if (remaining <= 0 || signal?.aborted) {
        return 'timeout';
      }
      await clock.sleep(Math.min(delay, remaining));
      delay = Math.min(delay * 2, POLL_CAP_MS);
    }
  }

  async function flipMany(flips: readonly ZoneFlip[]): Promise<Map<string, FlipResult>> {
    const results = new Map<string, FlipResult>();
    for (const { service, to, expected } of flips)
      results.set(service.name, await flip(service, to, expected));
    return results;
  }

  return { read, readAll, flip, flipMany, waitInSync };
}

function noSuchZone(service: ServiceConfig): ReadResult {
  return {
    ok: false,
    reason: 'no-such-zone',
    message: `Service "${service.name}": hosted zone ${service.hostedZoneId} does not exist (or this account cannot see it); fix hostedZoneId in the service config.`,
  };
}

/** The plan's record sets are the objects Route 53 returned (only `Weight` replaced): pass them through. */
function toSdkChange(change: RecordSetChange): Change {
  return { Action: change.Action, ResourceRecordSet: change.ResourceRecordSet as ResourceRecordSet };
}
