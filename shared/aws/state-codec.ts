/**
 * The state table's item layout, and the translation between items and domain values.
 *
 * One table, keys `pk` (S) and `sk` (S):
 *
 *   pk = SERVICE#<name>  sk = STATE                       the service state (one item, optimistic lock)
 *   pk = SERVICE#<name>  sk = EVENT#<ISO-8601 at>#<id>    one audit event (sorts by time; TTL on expiresAt)
 *   pk = WATCHDOG#<vantage>  sk = RUN                      the watchdog's run marker (handover-store.ts)
 *
 * Each item carries a few readable top-level attributes for people using the console or the CLI
 * (state: `service`, `version`, `epoch`, `active`, `updatedAt`; event: `service`, `kind`, `at`, `epoch`,
 * `requestedBy`, `expiresAt`) and the whole value as one JSON string (`state` / `event`), which is
 * what is read back. JSON keeps nulls, nested arrays and optional fields exact without a marshaller.
 * The top-level copies are checked against the JSON on read, so a hand edit of only one is caught.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import type { AuditEvent } from '../domain/events.ts';
import type { Versioned } from '../domain/ports.ts';
import type { ServiceState } from '../domain/state.ts';
import { CorruptStateError, InvalidStoreInputError } from './state-errors.ts';
import {
  checkResultSchema,
  count,
  epochMs,
  parseStoredState,
  serviceStateSchema,
  targetId,
} from './state-schema.ts';

export type Item = Record<string, AttributeValue>;

export const SERVICE_PREFIX = 'SERVICE#';
export const STATE_SORT_KEY = 'STATE';
export const EVENT_PREFIX = 'EVENT#';
/** Bumped when the JSON layout changes incompatibly, so a reader can tell old items from new. */
export const ITEM_FORMAT = 2;

const auditEventSchema = z.object({
  service: z.string().min(1),
  at: epochMs,
  id: z.string().min(1),
  kind: z.string().min(1),
  epoch: count,
  from: targetId.optional(),
  to: targetId.optional(),
  reason: z.string().optional(),
  requestedBy: z.string(),
  outcome: z.string().optional(),
  changeId: z.string().optional(),
  correlationId: z.string().optional(),
  evidence: z.record(targetId, z.array(checkResultSchema)).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
}) satisfies z.ZodType<AuditEvent>;

// ---- Keys -------------------------------------------------------------------------------------

export function servicePartitionKey(service: string): string {
  return `${SERVICE_PREFIX}${service}`;
}

export function stateKey(service: string): Item {
  return { pk: { S: servicePartitionKey(service) }, sk: { S: STATE_SORT_KEY } };
}

/**
 * `EVENT#2026-11-26T06:25:00.000Z#<id>`: fixed-width UTC time first, so the sort key orders events
 * by time (then id) and a descending Query returns the newest first.
 */
export function auditSortKey(at: number, id: string): string {
  return `${EVENT_PREFIX}${new Date(at).toISOString()}#${id}`;
}

// ---- Service state ----------------------------------------------------------------------------

/** The item for `state` at `version`. Throws `InvalidStoreInputError` for a state it could not read back. */
export function encodeState(state: ServiceState, version: number, now: number, table: string): Item {
  const parsed = serviceStateSchema.safeParse(state);
  if (!parsed.success) {
    throw new InvalidStoreInputError(
      `Refusing to save service "${String(state.service)}": ${describeIssues('state', parsed.error).join('; ')}`,
      { table, service: String(state.service) },
    );
  }
  return {
    ...stateKey(state.service),
    service: { S: state.service },
    version: { N: String(version) },
    epoch: { N: String(state.epoch) },
    active: { S: state.active },
    updatedAt: { S: new Date(now).toISOString() },
    format: { N: String(ITEM_FORMAT) },
    // The validated value: a stray field on the object passed in is never stored.
    state: { S: JSON.stringify(parsed.data) },
  };
}

/** Reads a state item back; `CorruptStateError` (naming the service) for anything that does not fit. */
export function decodeState(item: Item, table: string): Versioned<ServiceState> {
  const service = serviceOf(item, table);
  const corrupt = (problems: readonly string[]) =>
    new CorruptStateError({ table, service, sortKey: STATE_SORT_KEY, problems });

  const version = positiveIntegerAttribute(item, 'version');
  const json = parseJsonAttribute(item, 'state');
  if (!version.ok || !json.ok) throw corrupt(problemsOf(version, json));

  const parsed = parseStoredState(
    json.value,
    item.format?.N === undefined ? undefined : Number(item.format.N),
  );
  if (!parsed.ok) throw corrupt(describeIssues('state', parsed.error));
  const { state, format } = parsed;

  const disagreements: string[] = [];
  if (state.service !== service) disagreements.push(`state.service is "${state.service}"`);
  if (item.epoch?.N !== String(state.epoch)) {
    disagreements.push(`attribute epoch=${String(item.epoch?.N)} disagrees with state.epoch=${state.epoch}`);
  }
  // Format 1 had a readable `phase`; it was checked against the JSON it was written with.
  if (format === 2 && item.active?.S !== state.active) {
    disagreements.push(
      `attribute active=${String(item.active?.S)} disagrees with state.active=${state.active}`,
    );
  }
  if (disagreements.length > 0) throw corrupt(disagreements);
  return { value: state, version: version.value };
}

// ---- Audit events -----------------------------------------------------------------------------

/** The item for an audit event expiring at `expiresAt` (epoch seconds). */
export function encodeAudit(event: AuditEvent, expiresAt: number, table: string): Item {
  const parsed = auditEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new InvalidStoreInputError(
      `Refusing to record audit event "${String(event.id)}" of service "${String(event.service)}": ` +
        describeIssues('event', parsed.error).join('; '),
      { table, service: String(event.service) },
    );
  }
  let json: string;
  try {
    json = JSON.stringify(event);
  } catch (error) {
    throw new InvalidStoreInputError(
      `Refusing to record audit event "${event.id}" of service "${event.service}": its details are not JSON`,
      { table, service: event.service },
      { cause: error },
    );
  }
  return {
    pk: { S: servicePartitionKey(event.service) },
    sk: { S: auditSortKey(event.at, event.id) },
    service: { S: event.service },
    kind: { S: event.kind },
    at: { N: String(event.at) },
    epoch: { N: String(event.epoch) },
    requestedBy: { S: event.requestedBy },
    expiresAt: { N: String(expiresAt) },
    format: { N: String(ITEM_FORMAT) },
    event: { S: json },
  };
}

export function decodeAudit(item: Item, table: string): AuditEvent {
  const service = serviceOf(item, table);
  const sortKey = item.sk?.S ?? '(no sk)';
  const corrupt = (problems: readonly string[]) =>
    new CorruptStateError({ table, service, sortKey, problems });

  const json = parseJsonAttribute(item, 'event');
  if (!json.ok) throw corrupt(problemsOf(json));
  const parsed = auditEventSchema.safeParse(json.value);
  if (!parsed.success) throw corrupt(describeIssues('event', parsed.error));
  const event = parsed.data;
  if (event.service !== service) throw corrupt([`event.service is "${event.service}"`]);
  if (auditSortKey(event.at, event.id) !== sortKey)
    throw corrupt(['event.at/event.id do not match the sort key']);
  return event;
}

// ---- Helpers ----------------------------------------------------------------------------------

function serviceOf(item: Item, table: string): string {
  const pk = item.pk?.S;
  if (pk === undefined || !pk.startsWith(SERVICE_PREFIX)) {
    // Only reachable if something other than this store wrote under our key space.
    throw new CorruptStateError({
      table,
      service: pk ?? '(unknown)',
      sortKey: item.sk?.S ?? '(no sk)',
      problems: [`pk ${String(pk)} does not start with ${SERVICE_PREFIX}`],
    });
  }
  return pk.slice(SERVICE_PREFIX.length);
}

type Attribute<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: string };

function positiveIntegerAttribute(item: Item, name: string): Attribute<number> {
  const raw = item[name]?.N;
  const value = raw === undefined ? Number.NaN : Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    return {
      ok: false,
      problem: `attribute ${name} is missing or not a positive integer (N): ${String(raw)}`,
    };
  }
  return { ok: true, value };
}

function parseJsonAttribute(item: Item, name: string): Attribute<unknown> {
  const raw = item[name]?.S;
  if (raw === undefined) return { ok: false, problem: `attribute ${name} is missing or not a string (S)` };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: `attribute ${name} is not JSON (${reason})` };
  }
}

function problemsOf(...attributes: readonly Attribute<unknown>[]): string[] {
  return attributes.flatMap((attribute) => (attribute.ok ? [] : [attribute.problem]));
}

function describeIssues(root: string, error: z.ZodError): string[] {
  const shown = error.issues.slice(0, 5).map((issue) => {
    const path = [root, ...issue.path.map(String)].join('.');
    return `${path}: ${issue.message}`;
  });
  const hidden = error.issues.length - shown.length;
  return hidden > 0 ? [...shown, `${hidden} more`] : shown;
}
