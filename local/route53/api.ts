/**
 * The Route 53 REST-XML API (2013-04-01): routing, request parsing and response shapes.
 * The SDK strips `/hostedzone/` and `/change/` from ids before putting them in the path.
 */
import { internalFailure, invalidInput, noSuchChange, noSuchHostedZone, Route53ApiError } from './errors.ts';
import type { FaultPlan, Operation } from './faults.ts';
import {
  createHealthCheck,
  type HealthCheckStore,
  healthCheckElement,
  healthCheckStatusDocument,
  listHealthChecksDocument,
  noSuchHealthCheck,
} from './healthchecks.ts';
import { compareAscii, InvalidNameError, normalizeName, reversedNameKey } from './names.ts';
import { parseChangeBatch, RECORD_TYPES, type RecordSet, toWireShape } from './records.ts';
import type { ChangeRecord, HostedZone, ZoneStore } from './store.ts';
import { checkChildren, child, parseRequest, renderDocument, text } from './xml.ts';

export interface AppliedChange {
  /** As ChangeInfo.Id returns it: `/change/C...`. */
  readonly id: string;
  /** Without the `/hostedzone/` prefix. */
  readonly zoneId: string;
  /** The batch's changes in the SDK's field names (`{ Action, ResourceRecordSet: { Name, Type, ... } }`). */
  readonly changes: unknown[];
  readonly at: number;
}

export interface ApiContext {
  readonly store: ZoneStore;
  readonly healthChecks: HealthCheckStore;
  readonly faults: FaultPlan;
  readonly changes: AppliedChange[];
  readonly endpoint: () => string;
  readonly now: () => number;
}

export interface ApiRequest {
  readonly method: string;
  readonly url: URL;
  readonly body: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Route {
  readonly operation: Operation;
  readonly id?: string;
}

const PREFIX = '/2013-04-01';
const MAX_RECORD_SETS_PER_PAGE = 300;
const MAX_ZONES_PER_PAGE = 100;

/** Which operation a request is, or undefined for a path this server does not serve. */
export function routeOf(method: string, pathname: string): Route | undefined {
  if (!pathname.startsWith(`${PREFIX}/`)) return undefined;
  const parts = pathname.slice(PREFIX.length + 1).split('/');
  if (parts.at(-1) === '' && parts.length > 1) parts.pop();
  const [resource, id, sub, ...rest] = parts.map((part) => decodeURIComponent(part));
  if (rest.length > 0) return undefined;
  if (resource === 'hostedzone') {
    if (id === undefined) {
      if (method === 'POST') return { operation: 'CreateHostedZone' };
      if (method === 'GET') return { operation: 'ListHostedZones' };
      return undefined;
    }
    if (sub === undefined) return method === 'GET' ? { operation: 'GetHostedZone', id } : undefined;
    if (sub !== 'rrset') return undefined;
    if (method === 'GET') return { operation: 'ListResourceRecordSets', id };
    if (method === 'POST') return { operation: 'ChangeResourceRecordSets', id };
    return undefined;
  }
  if (resource === 'hostedzonesbyname' && id === undefined && method === 'GET') {
    return { operation: 'ListHostedZonesByName' };
  }
  if (resource === 'change' && id !== undefined && sub === undefined && method === 'GET') {
    return { operation: 'GetChange', id };
  }
  if (resource === 'healthcheck') {
    if (id === undefined) {
      if (method === 'POST') return { operation: 'CreateHealthCheck' };
      if (method === 'GET') return { operation: 'ListHealthChecks' };
      return undefined;
    }
    if (sub === 'status') return method === 'GET' ? { operation: 'GetHealthCheckStatus', id } : undefined;
    if (sub !== undefined) return undefined;
    if (method === 'GET') return { operation: 'GetHealthCheck', id };
    if (method === 'DELETE') return { operation: 'DeleteHealthCheck', id };
  }
  return undefined;
}

/** Runs one operation; throws `Route53ApiError` for an API error. */
export function runOperation(route: Route, request: ApiRequest, ctx: ApiContext): ApiResponse {
  const query = request.url.searchParams;
  switch (route.operation) {
    case 'CreateHostedZone':
      return createHostedZone(request.body, ctx);
    case 'GetHostedZone': {
      const zone = zoneById(ctx, route.id);
      return ok(
        renderDocument('GetHostedZoneResponse', {
          HostedZone: zoneElement(zone, ctx),
          DelegationSet: delegationSet(zone),
        }),
      );
    }
    case 'ListHostedZones':
      return listHostedZones(query, ctx);
    case 'ListHostedZonesByName':
      return listHostedZonesByName(query, ctx);
    case 'ListResourceRecordSets':
      return listResourceRecordSets(zoneById(ctx, route.id), query, ctx);
    case 'ChangeResourceRecordSets':
      return changeResourceRecordSets(zoneById(ctx, route.id), request.body, ctx);
    case 'GetChange': {
      const change = ctx.store.change(route.id ?? '');
      if (change === undefined) throw noSuchChange(route.id ?? '');
      return ok(renderDocument('GetChangeResponse', { ChangeInfo: changeInfo(change, ctx) }));
    }
    case 'CreateHealthCheck': {
      const check = createHealthCheck(request.body, ctx.healthChecks);
      return ok(
        renderDocument('CreateHealthCheckResponse', { HealthCheck: healthCheckElement(check) }),
        201,
        {
          location: `${ctx.endpoint()}${PREFIX}/healthcheck/${check.id}`,
        },
      );
    }
    case 'GetHealthCheck':
      return ok(
        renderDocument('GetHealthCheckResponse', {
          HealthCheck: healthCheckElement(healthCheckById(ctx, route.id)),
        }),
      );
    case 'GetHealthCheckStatus':
      return ok(healthCheckStatusDocument(healthCheckById(ctx, route.id), ctx.healthChecks));
    case 'ListHealthChecks':
      return ok(listHealthChecksDocument(query, ctx.healthChecks));
    case 'DeleteHealthCheck':
      ctx.healthChecks.delete(route.id ?? '');
      return ok(renderDocument('DeleteHealthCheckResponse', {}));
  }
}

function healthCheckById(ctx: ApiContext, id: string | undefined) {
  const check = ctx.healthChecks.get(id ?? '');
  if (check === undefined) throw noSuchHealthCheck(id ?? '');
  return check;
}

function ok(body: string, status = 200, headers?: Record<string, string>): ApiResponse {
  return headers === undefined ? { status, body } : { status, body, headers };
}

function zoneById(ctx: ApiContext, id: string | undefined): HostedZone {
  const zone = ctx.store.zone(id ?? '');
  if (zone === undefined) throw noSuchHostedZone(id ?? '');
  return zone;
}

function createHostedZone(body: string, ctx: ApiContext): ApiResponse {
  const request = parseRequest(body, 'CreateHostedZoneRequest');
  const rawName = text(request, 'Name');
  const callerReference = text(request, 'CallerReference');
  if (rawName === undefined)
    throw invalidInput(
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
  if (callerReference === undefined || callerReference.length < 1 || callerReference.length > 128) {
    throw invalidInput(
      `1 validation error detected: Value ${callerReference === undefined ? 'null' : `'${callerReference}'`} at 'callerReference' failed to satisfy constraint: Member must have length between 1 and 128`,
    );
  }
  const config = child(request, 'HostedZoneConfig');
  if (text(config, 'PrivateZone') === 'true' || child(request, 'VPC') !== undefined) {
    throw invalidInput('Private hosted zones (PrivateZone, VPC) are not supported by the local Route 53.');
  }
  let name: string;
  try {
    name = normalizeName(rawName);
  } catch (error) {
    const reason = error instanceof InvalidNameError ? error.message : String(error);
    throw new Route53ApiError('InvalidDomainName', 400, `${rawName} is not a valid domain name: ${reason}`);
  }
  if (name === '.')
    throw new Route53ApiError('InvalidDomainName', 400, 'The root domain cannot be a hosted zone.');
  const { zone, change } = ctx.store.createZone(name, callerReference, text(config, 'Comment'));
  return ok(
    renderDocument('CreateHostedZoneResponse', {
      HostedZone: zoneElement(zone, ctx),
      ChangeInfo: changeInfo(change, ctx, 'PENDING'),
      DelegationSet: delegationSet(zone),
    }),
    201,
    { location: `${ctx.endpoint()}${PREFIX}/hostedzone/${zone.id}` },
  );
}

function listHostedZones(query: URLSearchParams, ctx: ApiContext): ApiResponse {
  const maxItems = readMaxItems(query, MAX_ZONES_PER_PAGE);
  const marker = query.get('marker') ?? undefined;
  const zones = ctx.store.zones();
  const start = marker === undefined ? 0 : zones.findIndex((zone) => zone.id === marker);
  if (start < 0) throw invalidInput(`Invalid marker: no hosted zone with ID ${marker}`);
  const page = zones.slice(start, start + maxItems);
  const next = zones[start + maxItems];
  return ok(
    renderDocument('ListHostedZonesResponse', {
      HostedZones: { HostedZone: page.map((zone) => zoneElement(zone, ctx)) },
      ...(marker === undefined ? {} : { Marker: marker }),
      IsTruncated: next !== undefined,
      ...(next === undefined ? {} : { NextMarker: next.id }),
      MaxItems: maxItems,
    }),
  );
}

function listHostedZonesByName(query: URLSearchParams, ctx: ApiContext): ApiResponse {
  const maxItems = readMaxItems(query, MAX_ZONES_PER_PAGE);
  const rawName = query.get('dnsname') ?? undefined;
  const startId = query.get('hostedzoneid') ?? undefined;
  if (startId !== undefined && rawName === undefined) {
    throw invalidInput('Invalid request: hostedzoneid requires dnsname');
  }
  const startName = rawName === undefined ? undefined : queryName(rawName, 'dnsname');
  const zones = [...ctx.store.zones()].sort(
    (a, b) => compareAscii(reversedNameKey(a.name), reversedNameKey(b.name)) || compareAscii(a.id, b.id),
  );
  const start =
    startName === undefined
      ? 0
      : firstIndex(zones, (zone) => {
          const byName = compareAscii(reversedNameKey(zone.name), reversedNameKey(startName));
          if (byName !== 0) return byName > 0;
          return startId === undefined || compareAscii(zone.id, startId) >= 0;
        });
  const page = zones.slice(start, start + maxItems);
  const next = zones[start + maxItems];
  return ok(
    renderDocument('ListHostedZonesByNameResponse', {
      HostedZones: { HostedZone: page.map((zone) => zoneElement(zone, ctx)) },
      ...(rawName === undefined ? {} : { DNSName: rawName }),
      ...(startId === undefined ? {} : { HostedZoneId: startId }),
      IsTruncated: next !== undefined,
      ...(next === undefined ? {} : { NextDNSName: next.name, NextHostedZoneId: next.id }),
      MaxItems: maxItems,
    }),
  );
}

function listResourceRecordSets(zone: HostedZone, query: URLSearchParams, ctx: ApiContext): ApiResponse {
  const maxItems = readMaxItems(query, MAX_RECORD_SETS_PER_PAGE);
  const rawName = query.get('name') ?? undefined;
  const type = query.get('type') ?? undefined;
  const identifier = query.get('identifier') ?? undefined;
  if (type !== undefined && rawName === undefined) {
    throw invalidInput('Invalid request: a record type (type) requires a record name (name) to start from');
  }
  if (identifier !== undefined && (rawName === undefined || type === undefined)) {
    throw invalidInput('Invalid request: a set identifier (identifier) requires a record name and type');
  }
  if (type !== undefined && !(RECORD_TYPES as readonly string[]).includes(type)) {
    throw invalidInput(
      `1 validation error detected: Value '${type}' at 'startRecordType' failed to satisfy constraint: Member must satisfy enum value set: [${RECORD_TYPES.join(', ')}]`,
    );
  }
  const startKey = rawName === undefined ? undefined : reversedNameKey(queryName(rawName, 'name'));
  const records = ctx.store.records(zone);
  const start =
    startKey === undefined
      ? 0
      : firstIndex(records, (set) => {
          const byName = compareAscii(reversedNameKey(set.name), startKey);
          if (byName !== 0) return byName > 0;
          if (type === undefined) return true;
          const byType = compareAscii(set.type, type);
          if (byType !== 0) return byType > 0;
          return identifier === undefined || compareAscii(set.setIdentifier ?? '', identifier) >= 0;
        });
  const page = records.slice(start, start + maxItems);
  const next = records[start + maxItems];
  return ok(
    renderDocument('ListResourceRecordSetsResponse', {
      ResourceRecordSets: { ResourceRecordSet: page.map(recordSetElement) },
      IsTruncated: next !== undefined,
      ...(next === undefined
        ? {}
        : {
            NextRecordName: next.name,
            NextRecordType: next.type,
            ...(next.setIdentifier === undefined ? {} : { NextRecordIdentifier: next.setIdentifier }),
          }),
      MaxItems: maxItems,
    }),
  );
}

function changeResourceRecordSets(zone: HostedZone, body: string, ctx: ApiContext): ApiResponse {
  const request = parseRequest(body, 'ChangeResourceRecordSetsRequest');
  checkChildren(request, ['ChangeBatch']);
  const batch = child(request, 'ChangeBatch');
  if (batch !== undefined) checkChildren(batch, ['Comment', 'Changes']);
  const { comment, changes } = parseChangeBatch(batch);
  // The API model lists NoSuchHealthCheck among this operation's errors; a DELETE needs no lookup (it
  // must match the stored set exactly, health check id included).
  for (const { action, set } of changes) {
    if (
      action !== 'DELETE' &&
      set.healthCheckId !== undefined &&
      ctx.healthChecks.get(set.healthCheckId) === undefined
    ) {
      throw noSuchHealthCheck(set.healthCheckId);
    }
  }
  const change = ctx.store.applyBatch(zone, changes, comment);
  ctx.changes.push({
    id: `/change/${change.id}`,
    zoneId: zone.id,
    changes: changes.map(({ action, set }) => ({ Action: action, ResourceRecordSet: toWireShape(set) })),
    at: change.submittedAt,
  });
  if (ctx.faults.takeFailAfterApply()) throw internalFailure();
  return ok(
    renderDocument('ChangeResourceRecordSetsResponse', { ChangeInfo: changeInfo(change, ctx, 'PENDING') }),
  );
}

function readMaxItems(query: URLSearchParams, cap: number): number {
  const raw = query.get('maxitems');
  if (raw === null) return cap;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw invalidInput(
      `1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must be a whole number >= 1`,
    );
  }
  return Math.min(n, cap);
}

function queryName(raw: string, parameter: string): string {
  try {
    return normalizeName(raw);
  } catch (error) {
    const reason = error instanceof InvalidNameError ? error.message : String(error);
    throw invalidInput(`Invalid request: ${parameter} '${raw}' is not a valid DNS name: ${reason}`);
  }
}

function firstIndex<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  const index = items.findIndex(predicate);
  return index < 0 ? items.length : index;
}

function zoneElement(zone: HostedZone, ctx: ApiContext): Record<string, unknown> {
  return {
    Id: `/hostedzone/${zone.id}`,
    Name: zone.name,
    CallerReference: zone.callerReference,
    Config: { ...(zone.comment === undefined ? {} : { Comment: zone.comment }), PrivateZone: false },
    ResourceRecordSetCount: ctx.store.records(zone).length,
  };
}

function delegationSet(zone: HostedZone): Record<string, unknown> {
  return { NameServers: { NameServer: [...zone.nameServers] } };
}

function changeInfo(
  change: ChangeRecord,
  ctx: ApiContext,
  status = ctx.store.status(change),
): Record<string, unknown> {
  return {
    Id: `/change/${change.id}`,
    Status: status,
    SubmittedAt: new Date(change.submittedAt).toISOString(),
    ...(change.comment === undefined ? {} : { Comment: change.comment }),
  };
}

/** Elements in the order of the service's schema. */
function recordSetElement(set: RecordSet): Record<string, unknown> {
  return {
    Name: set.name,
    Type: set.type,
    ...(set.setIdentifier === undefined ? {} : { SetIdentifier: set.setIdentifier }),
    ...(set.weight === undefined ? {} : { Weight: set.weight }),
    ...(set.ttl === undefined ? {} : { TTL: set.ttl }),
    ...(set.values === undefined
      ? {}
      : { ResourceRecords: { ResourceRecord: set.values.map((Value) => ({ Value })) } }),
    ...(set.aliasTarget === undefined
      ? {}
      : {
          AliasTarget: {
            HostedZoneId: set.aliasTarget.hostedZoneId,
            DNSName: set.aliasTarget.dnsName,
            EvaluateTargetHealth: set.aliasTarget.evaluateTargetHealth,
          },
        }),
    ...(set.healthCheckId === undefined ? {} : { HealthCheckId: set.healthCheckId }),
  };
}
