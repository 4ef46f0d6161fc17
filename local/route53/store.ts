/**
 * Hosted zones, their record sets and change history, in memory. Change batches are validated in order
 * against a working copy and applied all or nothing; every applied batch keeps a snapshot so the DNS
 * responder can serve what is INSYNC while newer changes are still PENDING.
 */
import { randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { invalidChangeBatch, Route53ApiError } from './errors.ts';
import { compareAscii, isWithinZone, reversedNameKey } from './names.ts';
import { type Propagation, propagationDelay } from './propagation.ts';
import { describeSet, type RecordChange, type RecordSet, sameRecordSet, setKey } from './records.ts';

export type ChangeStatus = 'PENDING' | 'INSYNC';

export interface ChangeRecord {
  /** Without the `/change/` prefix. */
  readonly id: string;
  readonly zoneId: string;
  readonly submittedAt: number;
  readonly comment?: string;
  /**
   * When propagation ends: submission plus the model's delay, and never before the zone's previous
   * change (a name server that has a zone's newer version has the older one too).
   */
  readonly dueAt: number;
  /** When it was first seen INSYNC; once INSYNC, always INSYNC. */
  insyncAt?: number;
}

interface ZoneVersion {
  readonly change: ChangeRecord;
  readonly records: readonly RecordSet[];
}

export interface HostedZone {
  /** Without the `/hostedzone/` prefix. */
  readonly id: string;
  /** Normalized, trailing dot. */
  readonly name: string;
  readonly callerReference: string;
  readonly comment?: string;
  readonly nameServers: readonly string[];
  readonly versions: ZoneVersion[];
}

export interface StoreOptions {
  /** How long each change stays PENDING (see propagation.ts). */
  readonly propagation: Propagation;
  readonly now: () => number;
}

const SOA_TTL = 900;
const NS_TTL = 172800;
const MAX_RECORDS_PER_REQUEST = 1000;
const MAX_VALUE_CHARACTERS = 32000;
const MAX_WEIGHTED_SETS = 100;
/** A DNS character string (one quoted piece of a TXT value) holds at most 255 octets. */
const MAX_CHARACTER_STRING = 255;
const ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** An id like the service's: a prefix letter and 20 upper-case letters and digits. */
function newId(prefix: 'Z' | 'C'): string {
  const bytes = randomBytes(20);
  let id = prefix;
  for (const byte of bytes) id += ID_ALPHABET.charAt(byte % ID_ALPHABET.length);
  return id;
}

export class ZoneStore {
  readonly #zones: HostedZone[] = [];
  readonly #changes = new Map<string, ChangeRecord>();
  readonly #now: () => number;
  /** The latest `dueAt` of each zone's changes, so a zone's changes go INSYNC in order. */
  readonly #lastDue = new Map<string, number>();
  #propagation: Propagation;
  #hold = false;

  constructor(options: StoreOptions) {
    this.#now = options.now;
    this.#propagation = options.propagation;
  }

  /** The model in force; changes already submitted keep the delay they drew. */
  get propagation(): Propagation {
    return this.#propagation;
  }

  /** Changes submitted from now on draw their delay from `propagation`. */
  setPropagation(propagation: Propagation): void {
    this.#propagation = propagation;
  }

  /**
   * Creates a zone with its SOA and NS sets, as the real service does. The name must be normalized.
   * `id` is local only (the real service always picks the id): it lets the local demo create the zones
   * a configuration file names.
   */
  createZone(
    name: string,
    callerReference: string,
    comment?: string,
    id?: string,
  ): { zone: HostedZone; change: ChangeRecord } {
    if (this.#zones.some((zone) => zone.callerReference === callerReference)) {
      throw new Route53ApiError(
        'HostedZoneAlreadyExists',
        409,
        'A hosted zone has already been created with the specified caller reference.',
      );
    }
    if (id !== undefined && !ZONE_ID.test(id)) {
      throw new Route53ApiError(
        'InvalidInput',
        400,
        `${JSON.stringify(id)} is not a hosted zone ID: "Z" and 1 to 31 uppercase letters or digits`,
      );
    }
    if (id !== undefined && this.zone(id) !== undefined) {
      throw new Route53ApiError(
        'HostedZoneAlreadyExists',
        409,
        `A hosted zone with ID ${id} already exists.`,
      );
    }
    const seq = this.#zones.length;
    const nameServers = [
      `ns-${(seq * 4 + 1) % 2048}.awsdns-${(seq * 4 + 1) % 64}.com`,
      `ns-${(seq * 4 + 514) % 2048}.awsdns-${(seq * 4 + 2) % 64}.net`,
      `ns-${(seq * 4 + 1027) % 2048}.awsdns-${(seq * 4 + 3) % 64}.org`,
      `ns-${(seq * 4 + 1540) % 2048}.awsdns-${(seq * 4 + 4) % 64}.co.uk`,
    ];
    const first = nameServers[0] ?? 'ns-1.awsdns-01.com';
    const records: RecordSet[] = [
      { name, type: 'NS', ttl: NS_TTL, values: nameServers.map((ns) => `${ns}.`) },
      {
        name,
        type: 'SOA',
        ttl: SOA_TTL,
        values: [`${first}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`],
      },
    ];
    const zoneId = id ?? newId('Z');
    const change = this.#newChange(zoneId);
    const zone: HostedZone = {
      id: zoneId,
      name,
      callerReference,
      ...(comment === undefined ? {} : { comment }),
      nameServers,
      versions: [{ change, records }],
    };
    this.#zones.push(zone);
    return { zone, change };
  }

  zone(id: string): HostedZone | undefined {
    return this.#zones.find((zone) => zone.id === id);
  }

  /** In creation order. */
  zones(): readonly HostedZone[] {
    return this.#zones;
  }

  change(id: string): ChangeRecord | undefined {
    return this.#changes.get(id);
  }

  /** The current record sets of a zone (including PENDING changes), in listing order. */
  records(zone: HostedZone): readonly RecordSet[] {
    return sortRecordSets(zone.versions.at(-1)?.records ?? []);
  }

  /** What the authoritative servers answer with: the newest version whose change is INSYNC. */
  publishedRecords(zone: HostedZone): readonly RecordSet[] | undefined {
    for (let i = zone.versions.length - 1; i >= 0; i--) {
      const version = zone.versions[i];
      if (version !== undefined && this.status(version.change) === 'INSYNC') return version.records;
    }
    return undefined;
  }

  /** PENDING until the change is due and no hold is set; then INSYNC for good. */
  status(change: ChangeRecord): ChangeStatus {
    if (change.insyncAt !== undefined) return 'INSYNC';
    const now = this.#now();
    if (!this.#hold && now >= change.dueAt) {
      change.insyncAt = now;
      return 'INSYNC';
    }
    return 'PENDING';
  }

  /** While held, no change becomes INSYNC. Changes already due when the hold starts are settled first. */
  holdPending(hold: boolean): void {
    if (hold && !this.#hold) {
      for (const change of this.#changes.values()) this.status(change);
    }
    this.#hold = hold;
  }

  /**
   * Validates `changes` in order against a working copy of the zone and applies them all, or throws
   * `InvalidChangeBatch` with every problem found, leaving the zone untouched.
   */
  applyBatch(zone: HostedZone, changes: readonly RecordChange[], comment?: string): ChangeRecord {
    checkRequestLimits(changes);
    checkChangeSequences(changes);
    const work = [...(zone.versions.at(-1)?.records ?? [])];
    const messages: string[] = [];
    const written = new Set<string>();
    for (const { action, set } of changes) {
      const problem = this.#applyOne(zone, work, action, set);
      if (problem !== undefined) messages.push(problem);
      else if (action !== 'DELETE') written.add(setKey(set));
    }
    messages.push(...weightedTtlProblems(work, written), ...apexProblems(work, zone));
    if (messages.length > 0) throw invalidChangeBatch(messages);
    const change = this.#newChange(zone.id, comment);
    zone.versions.push({ change, records: work });
    return change;
  }

  #applyOne(
    zone: HostedZone,
    work: RecordSet[],
    action: RecordChange['action'],
    set: RecordSet,
  ): string | undefined {
    if (!isWithinZone(set.name, zone.name))
      return `RRSet with DNS name ${set.name} is not permitted in zone ${zone.name}`;
    const index = work.findIndex((existing) => setKey(existing) === setKey(set));
    const existing = work[index];
    if (action === 'DELETE') {
      if (existing === undefined)
        return `Tried to delete resource record set ${describeSet(set)} but it was not found`;
      if (!sameRecordSet(existing, set)) {
        return `Tried to delete resource record set ${describeSet(set)} but the values provided do not match the current values`;
      }
      work.splice(index, 1);
      return undefined;
    }
    if (action === 'CREATE' && existing !== undefined) {
      return `Tried to create resource record set ${describeSet(set)} but it already exists`;
    }
    const rest = existing === undefined ? work : work.filter((_, i) => i !== index);
    const problem = valueProblem(set) ?? conflictProblem(rest, set, zone);
    if (problem !== undefined) return problem;
    if (existing === undefined) work.push(set);
    else work[index] = set;
    return undefined;
  }

  #newChange(zoneId: string, comment?: string): ChangeRecord {
    const submittedAt = this.#now();
    const dueAt = Math.max(
      submittedAt + propagationDelay(this.#propagation),
      this.#lastDue.get(zoneId) ?? submittedAt,
    );
    this.#lastDue.set(zoneId, dueAt);
    const change: ChangeRecord = {
      id: newId('C'),
      zoneId,
      submittedAt,
      dueAt,
      ...(comment === undefined ? {} : { comment }),
    };
    this.#changes.set(change.id, change);
    return change;
  }
}

/** By name with labels reversed, then type, then set identifier (ASCII). */
export function sortRecordSets(sets: readonly RecordSet[]): RecordSet[] {
  return [...sets].sort(
    (a, b) =>
      compareAscii(reversedNameKey(a.name), reversedNameKey(b.name)) ||
      compareAscii(a.type, b.type) ||
      compareAscii(a.setIdentifier ?? '', b.setIdentifier ?? ''),
  );
}

/**
 * The per-request quotas: 1,000 ResourceRecord elements and 32,000 characters of values, where an UPSERT
 * counts twice. The records message is the service's; its characters message is not known (see README).
 */
function checkRequestLimits(changes: readonly RecordChange[]): void {
  let records = 0;
  let characters = 0;
  for (const { action, set } of changes) {
    const factor = action === 'UPSERT' ? 2 : 1;
    records += factor * Math.max(1, set.values?.length ?? 0);
    characters += factor * (set.values ?? []).reduce((sum, value) => sum + value.length, 0);
  }
  const messages: string[] = [];
  if (records > MAX_RECORDS_PER_REQUEST) {
    messages.push(`Number of records limit of ${MAX_RECORDS_PER_REQUEST} exceeded.`);
  }
  if (characters > MAX_VALUE_CHARACTERS) {
    messages.push(
      `Number of characters in all Value elements limit of ${MAX_VALUE_CHARACTERS} exceeded (UPSERT counts twice): ${characters}`,
    );
  }
  if (messages.length > 0) throw invalidChangeBatch(messages);
}

/**
 * One batch may name a record set once, or twice as a DELETE followed by a CREATE (the compare-and-swap
 * the API reference describes). Anything else, such as two UPSERTs of one set, is refused before any
 * change is compared with the zone.
 */
function checkChangeSequences(changes: readonly RecordChange[]): void {
  const actions = new Map<string, { set: RecordSet; actions: RecordChange['action'][] }>();
  for (const { action, set } of changes) {
    const key = setKey(set);
    const entry = actions.get(key);
    if (entry === undefined) actions.set(key, { set, actions: [action] });
    else entry.actions.push(action);
  }
  const messages: string[] = [];
  for (const { set, actions: sequence } of actions.values()) {
    if (sequence.length === 1) continue;
    if (sequence.length === 2 && sequence[0] === 'DELETE' && sequence[1] === 'CREATE') continue;
    messages.push(
      `The request contains an invalid set of changes for a resource record set '${set.type} ${set.name}'`,
    );
  }
  if (messages.length > 0) throw invalidChangeBatch(messages);
}

function valueProblem(set: RecordSet): string | undefined {
  const values = set.values ?? [];
  for (const value of values) {
    if (set.type === 'A' && !isIPv4(value)) {
      return invalidRecord('ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address)', value);
    }
    if (set.type === 'AAAA' && !isIPv6(value)) {
      return invalidRecord('AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address)', value);
    }
    if (set.type === 'TXT' || set.type === 'SPF') {
      const problem = characterStringProblem(value);
      if (problem !== undefined) return invalidRecord(problem, value);
    }
  }
  const duplicate = values.find((value, i) => values.indexOf(value) !== i);
  if (duplicate !== undefined) return `Duplicate Resource Record: '${duplicate}'`;
  if (set.type === 'CNAME' && values.length > 1) {
    return `RRSet of type CNAME with DNS name ${set.name} contains more than one value`;
  }
  return undefined;
}

function invalidRecord(problem: string, value: string): string {
  return `Invalid Resource Record: 'FATAL problem: ${problem} encountered with '${value}''`;
}

/**
 * A TXT or SPF value is one or more character strings, each in double quotes and at most 255 characters
 * once its escapes (`\"`, `\\`, `\DDD`) are read as one character each (RFC 1035 section 5.1).
 * Returns the service's problem text, or undefined for a valid value.
 * @example
 * characterStringProblem('"v=spf1 -all"'); // undefined
 * characterStringProblem('v=spf1 -all'); // 'InvalidCharacterString (Value should be enclosed in quotation marks)'
 */
export function characterStringProblem(value: string): string | undefined {
  const unquoted = 'InvalidCharacterString (Value should be enclosed in quotation marks)';
  let i = 0;
  let strings = 0;
  while (i < value.length) {
    if (/\s/.test(value.charAt(i))) {
      i += 1;
      continue;
    }
    if (value.charAt(i) !== '"') return unquoted;
    let length = 0;
    i += 1;
    while (i < value.length && value.charAt(i) !== '"') {
      i += value.charAt(i) === '\\' ? (/^[0-9]{3}/.test(value.slice(i + 1, i + 4)) ? 4 : 2) : 1;
      length += 1;
    }
    if (i >= value.length) return unquoted;
    i += 1;
    strings += 1;
    if (length > MAX_CHARACTER_STRING) return 'CharacterStringTooLong (Value is too long)';
  }
  return strings === 0 ? unquoted : undefined;
}

function conflictProblem(others: readonly RecordSet[], set: RecordSet, zone: HostedZone): string | undefined {
  if (set.type === 'CNAME' && set.name === zone.name) {
    return `RRSet of type CNAME with DNS name ${set.name} is not permitted at apex in zone ${zone.name}`;
  }
  const sameName = others.filter((other) => other.name === set.name);
  const clash = sameName.find((other) => (set.type === 'CNAME') !== (other.type === 'CNAME'));
  if (clash !== undefined) {
    return `RRSet of type ${set.type} with DNS name ${set.name} is not permitted because a conflicting RRSet of type ${clash.type} with the same DNS name already exists in zone ${zone.name}`;
  }
  const sameType = sameName.filter((other) => other.type === set.type);
  if (set.weight === undefined) {
    if (sameType.length > 0) {
      return `RRSet with DNS name ${set.name}, type ${set.type} cannot be created as other RRSets exist with the same name and type.`;
    }
    return undefined;
  }
  if (sameType.some((other) => other.weight === undefined)) {
    return `RRSet with DNS name ${set.name}, type ${set.type}, SetIdentifier ${set.setIdentifier} cannot be created as a non-weighted set exists with the same name and type.`;
  }
  if (sameType.length >= MAX_WEIGHTED_SETS) {
    return `Exceeded limit on number of weighted RRSets for ${set.name}, type ${set.type} in this zone.`;
  }
  return undefined;
}

/**
 * All weighted sets of a name and type share one TTL. Checked on the batch's end state, so one batch
 * may change the TTL of every set together.
 */
function weightedTtlProblems(work: readonly RecordSet[], written: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  for (const set of work) {
    if (!written.has(setKey(set)) || set.weight === undefined || set.ttl === undefined) continue;
    const differs = work.some(
      (other) =>
        other !== set &&
        other.name === set.name &&
        other.type === set.type &&
        other.ttl !== undefined &&
        other.ttl !== set.ttl,
    );
    if (differs) {
      problems.push(
        `RRSet with DNS name ${set.name}, type ${set.type}, SetIdentifier ${set.setIdentifier} cannot be created as weighted sets must contain the same TTL.`,
      );
    }
  }
  return problems;
}

function apexProblems(work: readonly RecordSet[], zone: HostedZone): string[] {
  const problems: string[] = [];
  const apex = work.filter((set) => set.name === zone.name);
  if (apex.filter((set) => set.type === 'SOA').length !== 1) {
    problems.push('A HostedZone must contain exactly one SOA record.');
  }
  if (!apex.some((set) => set.type === 'NS')) {
    problems.push('A HostedZone must contain at least one NS record for the zone itself.');
  }
  return problems;
}
