/**
 * Flip planning: the compare-and-swap change batch that moves a service's traffic, and the
 * judgement of what a re-read shows after a change call failed. Pure: no AWS SDK, no I/O.
 */
import { otherTarget, type TargetName } from './config.ts';
import type { TrafficReading, WeightedRecordSet } from './ports.ts';

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
      readonly from: TargetName;
      readonly to: TargetName;
      /** The change batch's `Comment`: shown by Route 53 for the change. */
      readonly comment: string;
      /** DELETE primary as read, CREATE primary, DELETE secondary as read, CREATE secondary. */
      readonly changes: readonly RecordSetChange[];
      /** What a read returns once the batch is applied. */
      readonly after: TrafficReading;
    }
  /** The reading already has `to` active: there is nothing to change. */
  | {
      readonly kind: 'already-active';
      readonly service: string;
      readonly to: TargetName;
      readonly reading: TrafficReading;
    };

export type FlipPlanErrorReason = 'all-zero-weights' | 'weight-out-of-range';

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
 * Plan the compare-and-swap batch that puts `activeWeight` on `to` and 0 on the other target.
 * Every field of each record set except `Weight` is copied exactly as read (TTL, values, alias,
 * health check, anything else), so Route 53 rejects the whole batch if anyone changed a record since.
 *
 * @throws FlipPlanError when `activeWeight` is 0 (all weights 0: Route 53 then answers every set
 * evenly) or not an integer in 0..255.
 * @example
 * const plan = planFlip(reading, 'secondary', 100);
 * if (plan.kind === 'flip') plan.changes.map((c) => c.Action); // ['DELETE', 'CREATE', 'DELETE', 'CREATE']
 */
export function planFlip(reading: TrafficReading, to: TargetName, activeWeight: number): FlipPlan {
  checkActiveWeight(reading.service, to, activeWeight);
  if (reading.active === to) {
    return { kind: 'already-active', service: reading.service, to, reading };
  }
  const weightOf = (target: TargetName): number => (target === to ? activeWeight : 0);
  const primary: WeightedRecordSet = { ...reading.primary, Weight: weightOf('primary') };
  const secondary: WeightedRecordSet = { ...reading.secondary, Weight: weightOf('secondary') };
  const from = otherTarget(to);
  return {
    kind: 'flip',
    service: reading.service,
    from,
    to,
    comment: `failover-controller: move ${reading.service} from ${from} to ${to}`.slice(0, 256),
    changes: [
      { Action: 'DELETE', ResourceRecordSet: reading.primary },
      { Action: 'CREATE', ResourceRecordSet: primary },
      { Action: 'DELETE', ResourceRecordSet: reading.secondary },
      { Action: 'CREATE', ResourceRecordSet: secondary },
    ],
    after: { service: reading.service, active: to, primary, secondary },
  };
}

function checkActiveWeight(service: string, to: TargetName, activeWeight: number): void {
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
      `Service "${service}": refusing to flip to ${to} with activeWeight 0: both records would have weight 0 ` +
        'and Route 53 would then split traffic evenly between them; set activeWeight to 1..255.',
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
  to: TargetName,
  activeWeight: number,
): RecordsVerdict {
  if (found[to].Weight === activeWeight && found[otherTarget(to)].Weight === 0) {
    return 'already-flipped';
  }
  if (sameRecordSet(found.primary, expected.primary) && sameRecordSet(found.secondary, expected.secondary)) {
    return 'unchanged';
  }
  return 'changed';
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
