/**
 * Step 5 of a move (issue #12): land the claimed moves — the compare-and-swap of the weights, the
 * data-plane signal, or the first and then the second past a deadline — as one decision each.
 *
 *   dataPlane off       CAS (the traffic switch's own bounded retries)        → its result
 *   dataPlane only      no Route 53 call                                       → data-plane
 *   dataPlane fallback  CAS; on an API failure read + CAS again until the deadline
 *                       (first attempt + dataPlaneDeadlineSeconds)             → its result, or data-plane
 *
 * An API failure is Route 53 unreadable (no reading) or a CAS that ended in `error`, whether or not
 * it may have applied: the data-plane record marks the weights as pending, and reconciliation later
 * either finds them already matching (a late CAS landed) or matches them. `changed-underneath` is
 * not an outage (someone edited the records): it is never overridden through the data plane.
 *
 * A ramp step (issue #13, `move.step`) lands through the compare-and-swap only, whatever the mode:
 * the signal allows whole targets and cannot express a split. With the API down its result is the
 * compare-and-swap's error (the claim released or kept as for `off`), and the ramp holds its step
 * until the API answers. A ramp's rollback or last step moves all the traffic: it lands like any move.
 */
import type { Clock, FlipResult, TrafficReading, TrafficSwitch, ZoneFlip } from '../domain/ports.ts';
import type { Prepared } from './move-execution.ts';

/** How a move reached Route 53. */
export type Mechanism = 'control-plane' | 'data-plane';

/** A compare-and-swap result, or the decision landed through the data plane (with why). */
export type Landing = FlipResult | { readonly outcome: 'data-plane'; readonly cause: string };

/** Between a failed attempt and the next read + compare-and-swap (Route 53 allows 5 requests/s). */
export const FALLBACK_RETRY_PAUSE_MS = 2_000;

export interface LandingDeps {
  readonly traffic: TrafficSwitch;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
}

/**
 * @example
 * const results = await landMoves(deps, claimed);
 * results.get('payments-api'); // { outcome: 'flipped', … } or { outcome: 'data-plane', cause: '…' }
 */
export async function landMoves(
  deps: LandingDeps,
  claimed: readonly Prepared[],
): Promise<Map<string, Landing>> {
  const results = new Map<string, Landing>();
  // A ramp step takes the control-plane lane of `off` (see above).
  const mode = (p: Prepared) =>
    p.move.step === undefined && p.move.weights === undefined ? p.service.dataPlane.mode : 'off';
  for (const p of claimed) {
    if (mode(p) === 'only') results.set(p.service.name, { outcome: 'data-plane', cause: 'dataPlane: only' });
  }
  const off = claimed.filter((p) => mode(p) === 'off');
  if (off.length > 0) setAll(results, await deps.traffic.flipMany(off.flatMap(flipOf)));

  const fallback = claimed.filter((p) => mode(p) === 'fallback');
  if (fallback.length === 0) return results;
  // One deadline for the batch: the shortest of its services'.
  const startedAt = deps.clock.now();
  const deadline = startedAt + Math.min(...fallback.map((p) => p.service.dataPlane.deadlineSeconds)) * 1000;
  const readable = fallback.flatMap(flipOf);
  if (readable.length > 0) setAll(results, await deps.traffic.flipMany(readable, { retryUntil: deadline }));
  let waiting = fallback.filter((p) => apiFailed(results.get(p.service.name)));

  // Until the deadline itself: a deadline shorter than the pause still gets its last attempt at the
  // deadline, never a data-plane landing before the API has failed for that long.
  while (waiting.length > 0 && deps.clock.now() < deadline && !deps.signal?.aborted) {
    await deps.clock.sleep(Math.min(FALLBACK_RETRY_PAUSE_MS, deadline - deps.clock.now()));
    const again = await reread(deps, waiting, results);
    if (again.length > 0) setAll(results, await deps.traffic.flipMany(again, { retryUntil: deadline }));
    waiting = waiting.filter((p) => apiFailed(results.get(p.service.name)));
  }
  for (const p of waiting) {
    const why = describeFailure(results.get(p.service.name));
    results.set(p.service.name, {
      outcome: 'data-plane',
      cause: `the Route 53 API failed for ${Math.round((deps.clock.now() - startedAt) / 1000)} s (${why})`,
    });
  }
  return results;
}

/** Fresh readings for the waiting moves: those already moved are done, the rest are tried again. */
async function reread(
  deps: LandingDeps,
  waiting: readonly Prepared[],
  results: Map<string, Landing>,
): Promise<ZoneFlip[]> {
  let readings: Awaited<ReturnType<TrafficSwitch['readAll']>>;
  try {
    readings = await deps.traffic.readAll(waiting.map((p) => p.service));
  } catch (error) {
    for (const p of waiting) results.set(p.service.name, unreadable(error));
    return [];
  }
  const again: ZoneFlip[] = [];
  for (const p of waiting) {
    const found = readings.get(p.service.name);
    if (found === undefined || !found.ok) {
      results.set(p.service.name, unreadable(found?.message ?? 'not read'));
      continue;
    }
    // Someone changed the records since the move read them: never overridden, as the first attempt
    // would not have been (the compare-and-swap expects what the move decided on). Records already on
    // the move's target (an earlier attempt that did land) go on, to be recognised as flipped.
    if (p.reading !== null && !sameWeights(p.reading, found.reading) && found.reading.active !== p.move.to) {
      results.set(p.service.name, { outcome: 'changed-underneath', found });
      continue;
    }
    again.push(zoneFlip(p, found.reading));
  }
  return again;
}

function flipOf(p: Prepared): ZoneFlip[] {
  return p.reading === null ? [] : [zoneFlip(p, p.reading)];
}

/** The compare-and-swap of a prepared move from `reading`, with a ramp step's split when it has one. */
function zoneFlip(p: Prepared, reading: TrafficReading): ZoneFlip {
  const flip: ZoneFlip = { service: p.service, to: p.move.to, expected: reading };
  return p.share === undefined ? flip : { ...flip, share: p.share };
}

function setAll(results: Map<string, Landing>, from: ReadonlyMap<string, FlipResult>): void {
  for (const [service, result] of from) results.set(service, result);
}

/** Route 53 could not be read or would not take the change: what the data plane is for. */
function apiFailed(result: Landing | undefined): boolean {
  return result === undefined || result.outcome === 'error';
}

function unreadable(error: unknown): FlipResult {
  const message = error instanceof Error ? error.message : String(error);
  return {
    outcome: 'error',
    message: `Route 53 could not be read: ${message}`,
    found: null,
    applied: 'unknown',
  };
}

function describeFailure(result: Landing | undefined): string {
  if (result === undefined) return 'Route 53 could not be read';
  return result.outcome === 'error' ? result.message : result.outcome;
}

function sameWeights(a: TrafficReading, b: TrafficReading): boolean {
  const ids = new Set([...Object.keys(a.sets), ...Object.keys(b.sets)]);
  return [...ids].every((id) => a.sets[id]?.Weight === b.sets[id]?.Weight);
}
