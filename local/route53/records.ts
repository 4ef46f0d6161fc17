/**
 * Resource record sets and the request-level validation of a change batch (the `InvalidInput` stage:
 * field constraints and required fields, checked before any change is compared with the zone).
 */
import { invalidInput } from './errors.ts';
import { InvalidNameError, normalizeName } from './names.ts';
import { child, children, text, type XmlNode } from './xml.ts';

export interface AliasTarget {
  readonly hostedZoneId: string;
  /** Normalized (lowercase, trailing dot). */
  readonly dnsName: string;
  readonly evaluateTargetHealth: boolean;
}

export interface RecordSet {
  /** Normalized (lowercase, trailing dot, octal escapes). */
  readonly name: string;
  readonly type: string;
  readonly setIdentifier?: string;
  readonly weight?: number;
  readonly ttl?: number;
  /** ResourceRecords values, exactly as sent. */
  readonly values?: readonly string[];
  readonly aliasTarget?: AliasTarget;
  readonly healthCheckId?: string;
}

export type ChangeAction = 'CREATE' | 'DELETE' | 'UPSERT';
export const CHANGE_ACTIONS: readonly ChangeAction[] = ['CREATE', 'DELETE', 'UPSERT'];

export interface RecordChange {
  readonly action: ChangeAction;
  readonly set: RecordSet;
}

/** The record types the real API accepts (its enum order). */
export const RECORD_TYPES = [
  'SOA',
  'A',
  'TXT',
  'NS',
  'CNAME',
  'MX',
  'NAPTR',
  'PTR',
  'SRV',
  'SPF',
  'AAAA',
  'CAA',
  'DS',
  'TLSA',
  'SSHFP',
  'SVCB',
  'HTTPS',
] as const;

/** Routing policies other than weighted: accepted by the real API, refused here (see README). */
const UNSUPPORTED_FIELDS = [
  'Region',
  'GeoLocation',
  'Failover',
  'MultiValueAnswer',
  'TrafficPolicyInstanceId',
  'CidrRoutingConfig',
  'GeoProximityLocation',
] as const;

const MAX_TTL = 2147483647;
/** `RData` and `ResourceDescription` in the service's API model: at most 4,000 and 256 characters. */
const MAX_VALUE_LENGTH = 4000;
const MAX_COMMENT_LENGTH = 256;

/** `[name='x.', type='CNAME', set-identifier='primary']`, the way Route 53 names a set in messages. */
export function describeSet(set: RecordSet): string {
  const id = set.setIdentifier === undefined ? '' : `, set-identifier='${set.setIdentifier}'`;
  return `[name='${set.name}', type='${set.type}'${id}]`;
}

export function setKey(set: Pick<RecordSet, 'name' | 'type' | 'setIdentifier'>): string {
  return `${set.name}\u0000${set.type}\u0000${set.setIdentifier ?? ''}`;
}

/** What DELETE compares: TTL, weight, health check, alias target and values (in any order). */
export function sameRecordSet(a: RecordSet, b: RecordSet): boolean {
  return (
    a.ttl === b.ttl &&
    a.weight === b.weight &&
    a.healthCheckId === b.healthCheckId &&
    sameValues(a.values, b.values) &&
    sameAlias(a.aliasTarget, b.aliasTarget)
  );
}

function sameValues(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  const left = [...a].sort();
  const right = [...b].sort();
  return left.every((value, i) => value === right[i]);
}

function sameAlias(a: AliasTarget | undefined, b: AliasTarget | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.hostedZoneId === b.hostedZoneId &&
    a.dnsName === b.dnsName &&
    a.evaluateTargetHealth === b.evaluateTargetHealth
  );
}

/** The set in the SDK's own field names (as ListResourceRecordSets returns it). */
export function toWireShape(set: RecordSet): Record<string, unknown> {
  const shape: Record<string, unknown> = { Name: set.name, Type: set.type };
  if (set.setIdentifier !== undefined) shape.SetIdentifier = set.setIdentifier;
  if (set.weight !== undefined) shape.Weight = set.weight;
  if (set.ttl !== undefined) shape.TTL = set.ttl;
  if (set.values !== undefined) shape.ResourceRecords = set.values.map((Value) => ({ Value }));
  if (set.aliasTarget !== undefined) {
    shape.AliasTarget = {
      HostedZoneId: set.aliasTarget.hostedZoneId,
      DNSName: set.aliasTarget.dnsName,
      EvaluateTargetHealth: set.aliasTarget.evaluateTargetHealth,
    };
  }
  if (set.healthCheckId !== undefined) shape.HealthCheckId = set.healthCheckId;
  return shape;
}

/**
 * Reads the `<ChangeBatch>` of a ChangeResourceRecordSets request and checks what the real API checks
 * before looking at the zone. Throws `InvalidInput` (constraint violations all at once, then the first
 * missing/conflicting field) exactly like the service does.
 */
export function parseChangeBatch(batch: XmlNode | undefined): { comment?: string; changes: RecordChange[] } {
  const changeNodes = children(child(batch, 'Changes'), 'Change');
  const violations: string[] = [];
  const comment = text(batch, 'Comment');
  if (comment !== undefined && comment.length > MAX_COMMENT_LENGTH) {
    violations.push(
      `Value '${comment}' at 'changeBatch.comment' failed to satisfy constraint: Member must have length less than or equal to ${MAX_COMMENT_LENGTH}`,
    );
  }
  if (changeNodes.length === 0) {
    violations.push(
      "Value '[]' at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  const raw = changeNodes.map((node, i) =>
    readChange(node, `changeBatch.changes.${i + 1}.member`, violations),
  );
  if (violations.length > 0) {
    const noun = violations.length === 1 ? 'error' : 'errors';
    throw invalidInput(`${violations.length} validation ${noun} detected: ${violations.join('; ')}`);
  }
  const changes = raw.map((change) => checkFields(change));
  return comment === undefined ? { changes } : { comment, changes };
}

interface RawChange {
  action: ChangeAction;
  rrset: XmlNode;
  name: string;
  type: string;
  setIdentifier?: string;
  weight?: number;
  ttl?: number;
}

function readChange(node: XmlNode, at: string, violations: string[]): RawChange {
  const action = text(node, 'Action');
  const rrset = child(node, 'ResourceRecordSet') ?? {};
  const path = `${at}.resourceRecordSet`;
  if (action === undefined)
    violations.push(`Value null at '${at}.action' failed to satisfy constraint: Member must not be null`);
  else if (!isAction(action)) {
    violations.push(
      `Value '${action}' at '${at}.action' failed to satisfy constraint: Member must satisfy enum value set: [${CHANGE_ACTIONS.join(', ')}]`,
    );
  }
  if (child(node, 'ResourceRecordSet') === undefined) {
    violations.push(`Value null at '${path}' failed to satisfy constraint: Member must not be null`);
  }
  const name = text(rrset, 'Name');
  if (name === undefined)
    violations.push(`Value null at '${path}.name' failed to satisfy constraint: Member must not be null`);
  else if (name.length > 1024) {
    violations.push(
      `Value '${name}' at '${path}.name' failed to satisfy constraint: Member must have length less than or equal to 1024`,
    );
  }
  const type = text(rrset, 'Type');
  if (type === undefined)
    violations.push(`Value null at '${path}.type' failed to satisfy constraint: Member must not be null`);
  else if (!(RECORD_TYPES as readonly string[]).includes(type)) {
    violations.push(
      `Value '${type}' at '${path}.type' failed to satisfy constraint: Member must satisfy enum value set: [${RECORD_TYPES.join(', ')}]`,
    );
  }
  const setIdentifier = text(rrset, 'SetIdentifier');
  if (setIdentifier !== undefined && (setIdentifier.length < 1 || setIdentifier.length > 128)) {
    const bound = setIdentifier.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 128';
    violations.push(
      `Value '${setIdentifier}' at '${path}.setIdentifier' failed to satisfy constraint: Member must have length ${bound}`,
    );
  }
  const weight = readInteger(rrset, 'Weight', `${path}.weight`, 0, 255, violations);
  const ttl = readInteger(rrset, 'TTL', `${path}.tTL`, 0, MAX_TTL, violations);
  children(child(rrset, 'ResourceRecords'), 'ResourceRecord').forEach((record, j) => {
    const value = text(record, 'Value');
    if (value !== undefined && value.length > MAX_VALUE_LENGTH) {
      violations.push(
        `Value '${value}' at '${path}.resourceRecords.${j + 1}.member.value' failed to satisfy constraint: Member must have length less than or equal to ${MAX_VALUE_LENGTH}`,
      );
    }
  });
  const result: RawChange = {
    action: isAction(action) ? action : 'CREATE',
    rrset,
    name: name ?? '',
    type: type ?? '',
  };
  if (setIdentifier !== undefined) result.setIdentifier = setIdentifier;
  if (weight !== undefined) result.weight = weight;
  if (ttl !== undefined) result.ttl = ttl;
  return result;
}

function readInteger(
  node: XmlNode,
  key: string,
  path: string,
  min: number,
  max: number,
  violations: string[],
): number | undefined {
  const value = text(node, key);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n)) {
    violations.push(`Value '${value}' at '${path}' failed to satisfy constraint: Member must be an integer`);
    return undefined;
  }
  if (n < min) {
    violations.push(
      `Value '${value}' at '${path}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`,
    );
  } else if (n > max) {
    violations.push(
      `Value '${value}' at '${path}' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
    );
  }
  return n;
}

function isAction(value: string | undefined): value is ChangeAction {
  return value !== undefined && (CHANGE_ACTIONS as readonly string[]).includes(value);
}

/** The "Invalid request" stage: which fields must appear together. The first problem is reported. */
function checkFields(change: RawChange): RecordChange {
  const { rrset } = change;
  let name: string;
  try {
    name = normalizeName(change.name);
  } catch (error) {
    const reason = error instanceof InvalidNameError ? error.message : String(error);
    throw invalidInput(`Invalid request: DNS name ${change.name} is not valid (${reason})`);
  }
  const where = `Change with [Action=${change.action}, Name=${name}, Type=${change.type}, SetIdentifier=${change.setIdentifier ?? 'null'}]`;
  for (const field of UNSUPPORTED_FIELDS) {
    if (rrset[field] !== undefined) {
      throw invalidInput(
        `Invalid request: ${field} in ${where} is not supported by the local Route 53 (only simple and weighted record sets are)`,
      );
    }
  }
  if (change.weight !== undefined && change.setIdentifier === undefined) {
    throw invalidInput(`Invalid request: Missing field 'SetIdentifier' in ${where}`);
  }
  if (change.setIdentifier !== undefined && change.weight === undefined) {
    throw invalidInput(
      `Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer, GeoProximityLocation, or CidrRoutingConfig], but found none in ${where}`,
    );
  }
  const aliasNode = child(rrset, 'AliasTarget');
  const valueNodes = children(child(rrset, 'ResourceRecords'), 'ResourceRecord');
  const hasRecords = rrset.ResourceRecords !== undefined;
  const hasPlain = change.ttl !== undefined || hasRecords;
  if (aliasNode !== undefined && hasPlain) {
    throw invalidInput(
      `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one in ${where}`,
    );
  }
  if (aliasNode === undefined && (change.ttl === undefined || !hasRecords)) {
    const missing = change.ttl === undefined ? 'TTL' : 'ResourceRecords';
    throw invalidInput(
      hasPlain
        ? `Invalid request: Missing field '${missing}' in ${where}`
        : `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in ${where}`,
    );
  }
  const set: { -readonly [K in keyof RecordSet]: RecordSet[K] } = { name, type: change.type };
  if (change.setIdentifier !== undefined) set.setIdentifier = change.setIdentifier;
  if (change.weight !== undefined) set.weight = change.weight;
  if (change.ttl !== undefined) set.ttl = change.ttl;
  if (aliasNode !== undefined) set.aliasTarget = readAlias(aliasNode, where);
  else {
    if (valueNodes.length === 0) {
      throw invalidInput(
        `1 validation error detected: Value '[]' at 'resourceRecordSet.resourceRecords' failed to satisfy constraint: Member must have length greater than or equal to 1`,
      );
    }
    set.values = valueNodes.map((node) => text(node, 'Value') ?? '');
  }
  const healthCheckId = text(rrset, 'HealthCheckId');
  if (healthCheckId !== undefined) set.healthCheckId = healthCheckId;
  return { action: change.action, set };
}

function readAlias(node: XmlNode, where: string): AliasTarget {
  const hostedZoneId = text(node, 'HostedZoneId');
  const dnsName = text(node, 'DNSName');
  const evaluate = text(node, 'EvaluateTargetHealth');
  if (hostedZoneId === undefined || dnsName === undefined || evaluate === undefined) {
    const missing =
      hostedZoneId === undefined
        ? 'HostedZoneId'
        : dnsName === undefined
          ? 'DNSName'
          : 'EvaluateTargetHealth';
    throw invalidInput(`Invalid request: Missing field '${missing}' in AliasTarget of ${where}`);
  }
  let normalized: string;
  try {
    normalized = normalizeName(dnsName);
  } catch {
    throw invalidInput(`Invalid request: alias target DNS name ${dnsName} is not valid in ${where}`);
  }
  return { hostedZoneId, dnsName: normalized, evaluateTargetHealth: evaluate === 'true' };
}
