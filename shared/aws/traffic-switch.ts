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
  CHANGE_REQUEST_LIMITS,
  changeBatchSize,
  type FlipPlan,
  FlipPlanError,
  type FlipShare,
  packChangeBatches,
  planFlip,
  type RecordSetChange,
} from '../domain/flip-plan.ts';
import {
  type Clock,
  type FlipManyOptions,
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
  /**
   * Total time one `flip` or `flipMany` call may spend re-sending after throttling or 5xx (one budget
   * for all the zones of a `flipMany`: it bounds how long the invocation waits). Default 20 000 ms.
   */
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
 * `flipMany` does the same for several services with one batch per hosted zone (split only where
 * Route 53's per-request limits require, never inside one service's changes). A batch is all or
 * nothing, so one stale service must not hold the others back:
 *
 *   batch [a b c] ──InvalidChangeBatch──▶ one listing: b changed ──▶ batch [a c] at once ──▶ flipped
 *                                                      (b: changed-underneath, never re-sent)
 *
 * Every service gets its own result, the one `flip` would give it; `flip` is `flipMany` of one.
 *
 * @example
 * const traffic = createTrafficSwitch({ client: new Route53Client({}) });
 * const read = await traffic.read(service);
 * if (read.ok) {
 *   const result = await traffic.flip(service, 'secondary', read.reading);
 *   if (result.outcome === 'flipped' && result.changeId) await traffic.waitInSync(result.changeId, Date.now() + 60_000);
 * }
 * const results = await traffic.flipMany(moves); // moves: { service, to, expected }[]
 * results.get('payments-api')?.outcome; // 'flipped' | 'already-flipped' | 'changed-underneath' | 'error'
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

  /** One change call for `batch`, its services' changes in order: the zone's compare-and-swap. */
  async function sendChange(hostedZoneId: string, batch: readonly Planned[]): Promise<string | null> {
    const command = new ChangeResourceRecordSetsCommand({
      HostedZoneId: hostedZoneId,
      ChangeBatch: {
        Comment: batchComment(batch),
        Changes: batch.flatMap((each) => each.plan.changes.map(toSdkChange)),
      },
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

  async function confirmAlreadyActive(
    service: ServiceConfig,
    to: TargetId,
    share: FlipShare | undefined,
  ): Promise<FlipResult> {
    const found = await tryRead(service);
    if ('error' in found) {
      return {
        outcome: 'error',
        message: `Service "${service.name}": traffic was expected on ${to} already, but re-reading the records failed: ${describeRoute53Error(found.error)}`,
        found: null,
        applied: 'no',
      };
    }
    const reading = found.result.ok ? found.result.reading : null;
    if (reading !== null && planFlip(reading, to, service.activeWeight, share).kind === 'already-active') {
      return { outcome: 'already-flipped', reading };
    }
    return { outcome: 'changed-underneath', found: found.result };
  }

  async function flip(service: ServiceConfig, to: TargetId, expected: TrafficReading): Promise<FlipResult> {
    const results = await flipMany([{ service, to, expected }]);
    const result = results.get(service.name);
    if (result === undefined) {
      throw new Error(`flipMany returned no result for service "${service.name}"`);
    }
    return result;
  }

  async function flipMany(
    flips: readonly ZoneFlip[],
    options: FlipManyOptions = {},
  ): Promise<Map<string, FlipResult>> {
    const seen = new Set<string>();
    for (const { service } of flips) {
      if (seen.has(service.name)) {
        throw new Error(
          `flipMany: service "${service.name}" is listed twice; each service may be flipped once per call.`,
        );
      }
      seen.add(service.name);
    }
    const results = new Map<string, FlipResult>();
    const zones = new Map<string, Planned[]>();
    for (const request of flips) {
      const { service, to, expected, share } = request;
      let plan: FlipPlan;
      try {
        plan = planFlip(expected, to, service.activeWeight, share);
      } catch (error) {
        if (error instanceof FlipPlanError) {
          results.set(service.name, { outcome: 'error', message: error.message, found: null, applied: 'no' });
          continue;
        }
        throw error;
      }
      if (plan.kind === 'already-active') {
        results.set(service.name, await confirmAlreadyActive(service, to, share));
        continue;
      }
      zones.set(service.hostedZoneId, [...(zones.get(service.hostedZoneId) ?? []), { ...request, plan }]);
    }

    // One budget for the whole call: it bounds how long the caller (a Lambda invocation) waits.
    const startedAt = clock.now();
    const deadline = Math.min(startedAt + maxRetryMs, options.retryUntil ?? Number.POSITIVE_INFINITY);
    const run: BatchRun = { startedAt, deadline, pace: { failures: 0 } };
    // Zones one after the other: the account shares 5 requests/s; throttling is backed off below.
    for (const [zoneId, planned] of zones) {
      const { batches, oversized } = packChangeBatches(planned, (each) => changeBatchSize(each.plan.changes));
      for (const { item, size } of oversized) {
        results.set(item.service.name, {
          outcome: 'error',
          message:
            `Service "${item.service.name}": the flip to ${item.to} needs ${size.records} ResourceRecord elements and ` +
            `${size.characters} characters of values, above Route 53's limit for one change request ` +
            `(${CHANGE_REQUEST_LIMITS.records} and ${CHANGE_REQUEST_LIMITS.characters}); it cannot be flipped ` +
            'as one compare-and-swap. Nothing was sent; move the traffic by hand.',
          found: null,
          applied: 'no',
        });
      }
      for (const batch of batches) {
        for (const [name, result] of await flipBatch(zoneId, batch, run)) results.set(name, result);
      }
    }
    // In the order asked, whatever order the zones were done in.
    const ordered = new Map<string, FlipResult>();
    for (const { service } of flips) {
      const result = results.get(service.name);
      if (result !== undefined) ordered.set(service.name, result);
    }
    return ordered;
  }

  /**
   * Send one batch until it lands or cannot: after any error, re-read and judge each service from
   * what is there. A service already flipped or changed underneath leaves the batch (never re-sent);
   * the rest are re-sent at once when the batch was refused because of the ones that left, after the
   * backoff when the error was throttling, a 5xx or a timeout, and otherwise get an error.
   */
  async function flipBatch(
    zoneId: string,
    batch: readonly Planned[],
    run: BatchRun,
  ): Promise<Map<string, FlipResult>> {
    const results = new Map<string, FlipResult>();
    let rest = batch;
    for (let sends = 1; ; sends += 1) {
      let changeError: unknown;
      try {
        const changeId = await sendChange(zoneId, rest);
        for (const each of rest) {
          results.set(each.service.name, { outcome: 'flipped', changeId, reading: each.plan.after });
        }
        return results;
      } catch (error) {
        changeError = error;
      }
      const retryable = isRetryableRoute53Error(changeError);
      const after = await rereadAfterError(
        zoneId,
        rest.map((each) => each.service),
        retryable,
        run,
      );
      const attempts = `${sends} attempt${sends === 1 ? '' : 's'} in ${clock.now() - run.startedAt} ms`;
      if ('readError' in after) {
        for (const { service, to } of rest) {
          results.set(service.name, {
            outcome: 'error',
            message:
              `Service "${service.name}": flip to ${to} failed (${describeRoute53Error(changeError)}; ${attempts}) ` +
              `and the records could not be re-read (${describeRoute53Error(after.readError)}): ` +
              'the state is unknown, read again before acting.',
            found: null,
            applied: 'unknown',
          });
        }
        return results;
      }
      const still: Planned[] = [];
      for (const each of rest) {
        const { service, to, expected, share } = each;
        const found = after.found.get(service.name) ?? unreadable(service);
        const verdict = found.ok
          ? assessRecords(found.reading, expected, to, service.activeWeight, share)
          : 'changed';
        if (verdict === 'already-flipped' && found.ok) {
          results.set(service.name, { outcome: 'already-flipped', reading: found.reading });
        } else if (verdict === 'changed') {
          results.set(service.name, { outcome: 'changed-underneath', found });
        } else {
          still.push(each);
        }
      }
      if (still.length === 0) {
        return results;
      }
      const dropped = still.length < rest.length;
      rest = still;
      // A refused batch (InvalidChangeBatch, or the shape the SDK reads as `Unknown`) that held a
      // service whose records changed failed because of that one: the rest go again at once.
      if (!retryable && dropped && answeredByRoute53(changeError)) {
        continue;
      }
      if (!after.resend) {
        const why = retryable
          ? `gave up after ${attempts} (maxRetryMs ${maxRetryMs})`
          : `${attempts}, not retryable`;
        // Route 53 answered: its error came after it decided, and the re-read after that shows
        // nothing applied. Without an answer (a timeout, a broken connection) the call may still land.
        const answered = answeredByRoute53(changeError);
        for (const { service, to, expected } of rest) {
          results.set(service.name, {
            outcome: 'error',
            message:
              `Service "${service.name}": ${answered ? 'Route 53 refused' : 'no answer from Route 53 for'} the flip to ${to}: ` +
              `${describeRoute53Error(changeError)} (${why}). The records are unchanged: ${expected.active === null ? 'the split' : expected.active} is still active` +
              `${answered ? '.' : ', unless the unanswered change still lands.'}`,
            found: after.found.get(service.name) ?? null,
            applied: answered ? 'no' : 'unknown',
          });
        }
        return results;
      }
    }
  }

  /**
   * Re-read the batch's services: the usual read for one, ONE listing of the zone for several (the
   * account shares 5 requests/s). A missing zone is a `no-such-zone` result for each, not an error.
   */
  async function rereadBatch(
    zoneId: string,
    services: readonly ServiceConfig[],
  ): Promise<{ found: Map<string, ReadResult> } | { error: unknown }> {
    const [only] = services;
    if (services.length === 1 && only !== undefined) {
      const outcome = await tryRead(only);
      return 'error' in outcome ? outcome : { found: new Map([[only.name, outcome.result]]) };
    }
    let sets: ResourceRecordSet[];
    try {
      sets = await listZone(client, zoneId);
    } catch (error) {
      if (!isNoSuchHostedZone(error)) return { error };
      return { found: new Map(services.map((service) => [service.name, noSuchZone(service)])) };
    }
    return {
      found: new Map(
        services.map((service) => [service.name, classifyWeightedSets(service, setsOf(service, sets))]),
      ),
    };
  }

  /**
   * After a failed change call: re-read, so the caller judges from what is there. When the error
   * was retryable, wait first (the re-read then immediately precedes a re-send); a failed re-read
   * is itself retried while retryable. `resend` says the time budget allows another change call.
   */
  async function rereadAfterError(
    zoneId: string,
    services: readonly ServiceConfig[],
    retryable: boolean,
    run: BatchRun,
  ): Promise<{ found: Map<string, ReadResult>; resend: boolean } | { readError: unknown }> {
    let mustWait = retryable;
    for (;;) {
      run.pace.failures += 1;
      const wait = backoff(run.pace.failures);
      const inBudget = clock.now() + wait <= run.deadline;
      if (mustWait && inBudget) {
        await clock.sleep(wait);
      }
      const reread = await rereadBatch(zoneId, services);
      if ('found' in reread) {
        return { found: reread.found, resend: retryable && inBudget };
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

  return { read, readAll, flip, flipMany, waitInSync };
}

/** A service of the batch: what it asked for and its planned compare-and-swap. */
type Planned = ZoneFlip & { readonly plan: FlipPlan & { kind: 'flip' } };

/** The time budget and backoff state shared by every batch of one `flipMany` call. */
interface BatchRun {
  readonly startedAt: number;
  readonly deadline: number;
  readonly pace: { failures: number };
}

/** The change's comment, shown by Route 53: one service's move, or how many and which (cut to 256). */
function batchComment(batch: readonly Planned[]): string {
  const [only] = batch;
  if (batch.length === 1 && only !== undefined) return only.plan.comment;
  const moves = batch.map(({ plan }) => `${plan.service} to ${plan.to}`).join(', ');
  return `failover-controller: move ${batch.length} services: ${moves}`.slice(0, 256);
}

/** A listing that did not show a service it should have (never expected): judged as changed. */
function unreadable(service: ServiceConfig): ReadResult {
  return {
    ok: false,
    reason: 'unavailable',
    message: `Service "${service.name}": the re-read of hosted zone ${service.hostedZoneId} did not cover it.`,
  };
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
