/**
 * Flip planning: the compare-and-swap change batch that moves a service's traffic, and the
 * judgement of what a re-read shows after a change call failed. Pure: no AWS SDK, no I/O.
 */
import type { ServiceConfig, TargetId } from './config.ts';
import type { TrafficReading, WeightedRecordSet } from './ports.ts';
import { type RampStep, sameWeights, weightsAfterMove } from './ramp.ts';

/** Route 53 weights are integers 0..255. */
export const MAX_WEIGHT = 255;

/**
 * One entry of a Route 53 change batch, structurally the SDK's `Change` (`{ Action, ResourceRecordSet }`)
 * so the adapter passes it through unchanged. A flip only ever DELETEs and CREATEs.
 */
export interface RecordSetChange {
  readonly Action: 'DELETE' | 'CREATE';
  readonly ResourceRecordSet: WeightedRecordSet;
}

export type FlipPlan =
  | {
      readonly kind: 'flip';
      readonly service: string;
      /** The target traffic was on; null when it was split (a ramp). */
      readonly from: TargetId | null;
      readonly to: TargetId;
      /** The change batch's `Comment`: shown by Route 53 for the change. */
      readonly comment: string;
      /** For each target in preference order: DELETE its set as read, CREATE it with its new weight. */
      readonly changes: readonly RecordSetChange[];
      /** What a read returns once the batch is applied. */
      readonly after: TrafficReading;
    }
  /** The reading already shows the intended weights: there is nothing to change. */
  | {
      readonly kind: 'already-active';
      readonly service: string;
      readonly to: TargetId;
      readonly reading: TrafficReading;
    };

export type FlipPlanErrorReason = 'all-zero-weights' | 'weight-out-of-range' | 'unknown-target';

/** A flip that must not be written (it would leave every weight at 0, or a weight Route 53 rejects). */
export class FlipPlanError extends Error {
  override name = 'FlipPlanError';
  readonly reason: FlipPlanErrorReason;
  readonly service: string;

  constructor(reason: FlipPlanErrorReason, service: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
    this.service = service;
  }
}

/**
 * Plan the compare-and-swap batch that puts `activeWeight` on `to` and 0 on every other target —
 * or, for a step of a ramped failback (`share`, issue #13), splits `activeWeight` between `to` and
 * `share.from` (see `splitWeights`) and puts 0 on every other target.
 * Every set is deleted exactly as read and created again — the untouched ones too, so the batch
 * asserts nobody changed any of them — with every field except `Weight` copied (TTL, values, alias,
 * health check, anything else): Route 53 rejects the whole batch if anyone changed a record since.
 *
 * @throws FlipPlanError when `activeWeight` is 0 (all weights 0: Route 53 then answers every set
 * evenly) or not an integer in 0..255, or when `to` is not one of the reading's targets.
 * @example
 * const plan = planFlip(reading, 'secondary', 100);
 * if (plan.kind === 'flip') plan.changes.map((c) => c.Action); // ['DELETE', 'CREATE', 'DELETE', 'CREATE']
 */
export function planFlip(
  reading: TrafficReading,
  to: TargetId,
  activeWeight: number,
  share?: FlipShare,
): FlipPlan {
  checkActiveWeight(reading.service, to, activeWeight);
  if (share !== undefined && 'weights' in share) checkWeightMap(reading.service, share.weights);
  for (const id of [to, ...(share !== undefined && 'from' in share ? [share.from] : [])]) {
    if (!Object.hasOwn(reading.sets, id)) {
      throw new FlipPlanError(
        'unknown-target',
        reading.service,
        `Service "${reading.service}" has no target "${id}" in Route 53.`,
      );
    }
  }
  const weights = intendedWeights(reading, to, activeWeight, share);
  if (sameWeights(weightsOfReading(reading), weights)) {
    return { kind: 'already-active', service: reading.service, to, reading };
  }
  const sets: Record<TargetId, WeightedRecordSet> = {};
  const changes: RecordSetChange[] = [];
  for (const [id, set] of Object.entries(reading.sets)) {
    const next: WeightedRecordSet = { ...set, Weight: weights[id] ?? 0 };
    sets[id] = next;
    changes.push({ Action: 'DELETE', ResourceRecordSet: set }, { Action: 'CREATE', ResourceRecordSet: next });
  }
  const from = reading.active;
  const what =
    share === undefined
      ? `move ${reading.service} from ${from ?? 'a split'} to ${to}`
      : 'weights' in share
        ? `weights of ${reading.service}: ${Object.entries(weights)
            .map(([id, w]) => `${id} ${w}`)
            .join(', ')}`
        : `move ${weights[to]} of ${activeWeight} of ${reading.service} to ${to}, the rest on ${share.from}`;
  return {
    kind: 'flip',
    service: reading.service,
    from,
    to,
    comment: `failover-controller: ${what}`.slice(0, 256),
    changes,
    after: { service: reading.service, active: activeOf(weights), sets },
  };
}

/**
 * A split: a ramp step's (issue #13: `from` keeps the rest of the active weight), or an active-active
 * weight map written as decided (issue #13 item 3).
 */
export type FlipShare =
  | { readonly from: TargetId; readonly step: RampStep }
  | { readonly weights: Readonly<Record<TargetId, number>> };

/**
 * The weights a flip to `to` (with `share`, a ramp step) intends for every target of the reading.
 *
 * @example
 * intendedWeights(reading, 'primary', 100, { from: 'secondary', step: { steps: [10, 100], step: 0 } });
 * // { primary: 10, secondary: 90 }
 */
export function intendedWeights(
  reading: TrafficReading,
  to: TargetId,
  activeWeight: number,
  share?: FlipShare,
): Record<TargetId, number> {
  if (share !== undefined && 'weights' in share) {
    return Object.fromEntries(Object.keys(reading.sets).map((id) => [id, share.weights[id] ?? 0]));
  }
  return weightsAfterMove(Object.keys(reading.sets), share?.from ?? to, to, share?.step, activeWeight);
}

/**
 * Each target's weight as read.
 *
 * @example
 * weightsOfReading(reading); // { primary: 10, secondary: 90 }
 */
export function weightsOfReading(reading: TrafficReading): Record<TargetId, number> {
  return Object.fromEntries(Object.entries(reading.sets).map(([id, set]) => [id, set.Weight]));
}

function checkActiveWeight(service: string, to: TargetId, activeWeight: number): void {
  if (!Number.isInteger(activeWeight) || activeWeight < 0 || activeWeight > MAX_WEIGHT) {
    throw new FlipPlanError(
      'weight-out-of-range',
      service,
      `Service "${service}": activeWeight ${activeWeight} is not an integer in 0..${MAX_WEIGHT} ` +
        '(Route 53 weights); set activeWeight to 1..255 in the service config.',
    );
  }
  if (activeWeight === 0) {
    throw new FlipPlanError(
      'all-zero-weights',
      service,
      `Service "${service}": refusing to flip to ${to} with activeWeight 0: every record would have weight 0 ` +
        'and Route 53 would then split traffic evenly between them all; set activeWeight to 1..255.',
    );
  }
}

/** An active-active weight map Route 53 can take and that never leaves every record at 0. */
function checkWeightMap(service: string, weights: Readonly<Record<TargetId, number>>): void {
  const values = Object.values(weights);
  if (values.some((w) => !Number.isInteger(w) || w < 0 || w > MAX_WEIGHT)) {
    throw new FlipPlanError(
      'weight-out-of-range',
      service,
      `Service "${service}": the weights ${JSON.stringify(weights)} are not all integers in 0..${MAX_WEIGHT} (Route 53 weights).`,
    );
  }
  if (!values.some((w) => w > 0)) {
    throw new FlipPlanError(
      'all-zero-weights',
      service,
      `Service "${service}": refusing to write weights that are all 0: Route 53 would then split traffic evenly between every record.`,
    );
  }
}

/** What a re-read shows compared with the reading a flip was planned from. */
export type RecordsVerdict =
  /** `to` is active with the intended weights: the flip happened (ours, retried, or someone else's). */
  | 'already-flipped'
  /** Both record sets are exactly as expected: nothing was written, a re-send is safe. */
  | 'unchanged'
  /** Anything else: someone changed the records. */
  | 'changed';

/**
 * Judge a re-read after a failed change call from what is there, never from the error alone.
 *
 * @example
 * assessRecords(found, expected, 'secondary', 100); // 'already-flipped' after a 5xx that was applied
 */
export function assessRecords(
  found: TrafficReading,
  expected: TrafficReading,
  to: TargetId,
  activeWeight: number,
  share?: FlipShare,
): RecordsVerdict {
  const sets = Object.entries(found.sets);
  if (sameWeights(weightsOfReading(found), intendedWeights(found, to, activeWeight, share))) {
    return 'already-flipped';
  }
  const ids = Object.keys(expected.sets);
  const same =
    ids.length === sets.length &&
    ids.every((id) => {
      const before = expected.sets[id];
      const now = found.sets[id];
      return before !== undefined && now !== undefined && sameRecordSet(now, before);
    });
  return same ? 'unchanged' : 'changed';
}

/**
 * Whether two record sets are the same to Route 53: names compared case-insensitively with or
 * without the trailing dot, resource record values in any order, absent and `undefined` fields alike.
 */
export function sameRecordSet(a: WeightedRecordSet, b: WeightedRecordSet): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(set: WeightedRecordSet): unknown {
  const values = set.ResourceRecords;
  const sortedValues = Array.isArray(values)
    ? values.map((value: unknown) => JSON.stringify(sortedKeys(value))).sort()
    : values;
  return sortedKeys({ ...set, Name: normalizeRecordName(set.Name), ResourceRecords: sortedValues });
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortedKeys);
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return Object.fromEntries(entries.map(([key, field]) => [key, sortedKeys(field)]));
  }
  return value;
}

/**
 * A DNS name as Route 53 compares it: lowercase, fully qualified (trailing dot), with the
 * `\NNN` octal escapes Route 53 uses in listings (e.g. `\052` for `*`) decoded.
 *
 * @example
 * normalizeRecordName('API.Example.com'); // 'api.example.com.'
 */
export function normalizeRecordName(name: string): string {
  const decoded = name.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(Number.parseInt(octal, 8)),
  );
  const lower = decoded.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/**
 * Route 53's limits on one ChangeResourceRecordSets request (developer guide, "Quotas", maximums on
 * API requests): at most 1,000 ResourceRecord elements and 32,000 characters (spaces included) in all
 * `Value` elements; an UPSERT counts twice toward both. A flip only DELETEs and CREATEs.
 */
export const CHANGE_REQUEST_LIMITS = { records: 1_000, characters: 32_000 } as const;

export interface ChangeBatchSize {
  /** ResourceRecord elements; an alias set (no ResourceRecords) counts as one. */
  readonly records: number;
  /** Characters in all `Value` elements. */
  readonly characters: number;
}

/**
 * What `changes` count toward Route 53's per-request limits, counted as the service counts them.
 *
 * @example
 * changeBatchSize(planFlip(reading, 'secondary', 100).changes); // { records: 4, characters: 76 }
 */
export function changeBatchSize(
  changes: readonly { readonly Action: string; readonly ResourceRecordSet: WeightedRecordSet }[],
): ChangeBatchSize {
  let records = 0;
  let characters = 0;
  for (const { Action, ResourceRecordSet } of changes) {
    const factor = Action === 'UPSERT' ? 2 : 1;
    const values = valuesOf(ResourceRecordSet);
    records += factor * Math.max(1, values.length);
    characters += factor * values.reduce((sum, value) => sum + value.length, 0);
  }
  return { records, characters };
}

function valuesOf(set: WeightedRecordSet): string[] {
  const records = set.ResourceRecords;
  if (!Array.isArray(records)) return [];
  return records.map((record: unknown) => {
    const value =
      record !== null && typeof record === 'object' ? (record as { Value?: unknown }).Value : undefined;
    return typeof value === 'string' ? value : '';
  });
}

export interface PackedBatches<T> {
  /** Items in their given order, cut into as few consecutive batches as the limits allow. */
  readonly batches: readonly (readonly T[])[];
  /** Items that exceed a limit on their own: no request can carry them whole. */
  readonly oversized: readonly { readonly item: T; readonly size: ChangeBatchSize }[];
}

/**
 * Pack whole items (one service's compare-and-swap changes each: never split, or its DELETE/CREATE
 * pairs would no longer be checked together) into change batches within Route 53's per-request limits.
 * Greedy in the given order: an item that does not fit the current batch starts the next one.
 *
 * @example
 * const { batches } = packChangeBatches(plans, (plan) => changeBatchSize(plan.changes));
 * // 300 two-target services (1,200 records) -> two batches of 250 and 50
 */
export function packChangeBatches<T>(
  items: readonly T[],
  sizeOf: (item: T) => ChangeBatchSize,
  limits: ChangeBatchSize = CHANGE_REQUEST_LIMITS,
): PackedBatches<T> {
  const batches: T[][] = [];
  const oversized: { item: T; size: ChangeBatchSize }[] = [];
  let current: T[] = [];
  let used = { records: 0, characters: 0 };
  for (const item of items) {
    const size = sizeOf(item);
    if (size.records > limits.records || size.characters > limits.characters) {
      oversized.push({ item, size });
      continue;
    }
    const records = used.records + size.records;
    const characters = used.characters + size.characters;
    if (current.length > 0 && (records > limits.records || characters > limits.characters)) {
      batches.push(current);
      current = [item];
      used = size;
      continue;
    }
    current.push(item);
    used = { records, characters };
  }
  if (current.length > 0) batches.push(current);
  return { batches, oversized };
}

/**
 * The longest TTL among the reading's record sets (an alias has none: null): how long resolvers
 * may keep answering with the weights before a change.
 *
 * @example
 * recordsTtl(reading); // 60
 */
export function recordsTtl(reading: Pick<TrafficReading, 'sets'>): number | null {
  const ttls = Object.values(reading.sets)
    .map((set) => set.TTL)
    .filter((ttl): ttl is number => typeof ttl === 'number' && Number.isFinite(ttl));
  return ttls.length === 0 ? null : Math.max(...ttls);
}

/**
 * Why a split reading cannot be used where the state does not explain it (a hand edit, or a ramp
 * the state does not know): the message `ambiguous-weights` gave before ramps existed.
 *
 * @example
 * unexplainedSplit(service, reading); // 'Service "payments-api": traffic is split at ... (primary=10, secondary=90); ...'
 */
export function unexplainedSplit(
  service: Pick<ServiceConfig, 'name' | 'recordName' | 'recordType' | 'hostedZoneId' | 'targets'>,
  reading: { readonly sets: Readonly<Record<string, WeightedRecordSet>> },
): string {
  const where = `${normalizeRecordName(service.recordName)} ${service.recordType} in hosted zone ${service.hostedZoneId}`;
  const weights = service.targets.map((t) => `${t.setIdentifier}=${reading.sets[t.id]?.Weight}`).join(', ');
  return (
    `Service "${service.name}": traffic is split at ${where} (${weights}) and no gradual failback explains it: ` +
    'exactly one record must have a weight above 0. Set the weights by hand, then resume.'
  );
}

/** The one target with weight, or null for a split. */
function activeOf(weights: Readonly<Record<TargetId, number>>): TargetId | null {
  const live = Object.keys(weights).filter((id) => (weights[id] ?? 0) > 0);
  return live.length === 1 ? (live[0] ?? null) : null;
}
