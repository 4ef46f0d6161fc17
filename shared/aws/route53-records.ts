/** Reading a service's pair of weighted record sets from Route 53. */
import {
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsRequest,
  type ListResourceRecordSetsResponse,
  type ResourceRecordSet,
  type Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';
import type { ServiceConfig } from '../domain/config.ts';
import { normalizeRecordName } from '../domain/flip-plan.ts';
import type { ReadResult, WeightedRecordSet } from '../domain/ports.ts';

/** Far more pages than 100 weighted sets (the Route 53 limit per name and type) can fill. */
const MAX_PAGES = 200;
/** 300 000 record sets: far above the default quota of 10 000 per zone. */
const MAX_ZONE_PAGES = 1_000;

/**
 * Every record set of exactly `name` and `type` in the zone. ListResourceRecordSets has no paginator:
 * start at the name and type, follow `NextRecord*` while the listing is still on them, stop at the
 * first record past them.
 */
export async function listRecordSets(
  client: Route53Client,
  hostedZoneId: string,
  name: string,
  type: RRType,
): Promise<ResourceRecordSet[]> {
  const isWanted = (setName: string | undefined, setType: string | undefined): boolean =>
    isNameAndType(setName, setType, name, type);
  const sets: ResourceRecordSet[] = [];
  let start: Start = { StartRecordName: normalizeRecordName(name), StartRecordType: type };
  for (let page = 1; ; page += 1) {
    const out = await client.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: hostedZoneId, ...start }),
    );
    for (const set of out.ResourceRecordSets ?? []) {
      if (!isWanted(set.Name, set.Type)) {
        return sets;
      }
      sets.push(set);
    }
    if (out.IsTruncated !== true || !isWanted(out.NextRecordName, out.NextRecordType)) {
      return sets;
    }
    checkPages(page, MAX_PAGES, hostedZoneId);
    start = nextStart(out);
  }
}

/** Every record set of the zone: one listing, for reading several services of one zone at once. */
export async function listZone(client: Route53Client, hostedZoneId: string): Promise<ResourceRecordSet[]> {
  const sets: ResourceRecordSet[] = [];
  let start: Start = {};
  for (let page = 1; ; page += 1) {
    const out = await client.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: hostedZoneId, ...start }),
    );
    sets.push(...(out.ResourceRecordSets ?? []));
    if (out.IsTruncated !== true || out.NextRecordName === undefined) {
      return sets;
    }
    checkPages(page, MAX_ZONE_PAGES, hostedZoneId);
    start = nextStart(out);
  }
}

/** The sets of the service's record name and type among `sets`. */
export function setsOf(service: ServiceConfig, sets: readonly ResourceRecordSet[]): ResourceRecordSet[] {
  return sets.filter((set) => isNameAndType(set.Name, set.Type, service.recordName, service.recordType));
}

type Start = Pick<
  ListResourceRecordSetsRequest,
  'StartRecordName' | 'StartRecordType' | 'StartRecordIdentifier'
>;

function nextStart(out: ListResourceRecordSetsResponse): Start {
  return {
    StartRecordName: out.NextRecordName,
    StartRecordType: out.NextRecordType,
    StartRecordIdentifier: out.NextRecordIdentifier,
  };
}

function isNameAndType(
  setName: string | undefined,
  setType: string | undefined,
  name: string,
  type: string,
): boolean {
  return (
    setName !== undefined && setType === type && normalizeRecordName(setName) === normalizeRecordName(name)
  );
}

function checkPages(page: number, max: number, hostedZoneId: string): void {
  if (page >= max) {
    throw new Error(`ListResourceRecordSets of hosted zone ${hostedZoneId} did not end after ${max} pages`);
  }
}

/**
 * Find each of the service's targets among the listed sets (by `SetIdentifier`; other set
 * identifiers are ignored) and say which is active: exactly one must have a weight above 0.
 */
export function classifyWeightedSets(service: ServiceConfig, sets: readonly ResourceRecordSet[]): ReadResult {
  const where = `${normalizeRecordName(service.recordName)} ${service.recordType} in hosted zone ${service.hostedZoneId}`;
  const prefix = `Service "${service.name}"`;
  const named = (targets: readonly { id: string; setIdentifier: string }[]) =>
    targets.map((t) => `${t.id} "${t.setIdentifier}"`).join(', ');
  if (sets.length > 0 && sets.every((set) => set.SetIdentifier === undefined)) {
    return {
      ok: false,
      reason: 'not-weighted',
      message: `${prefix}: ${where} is a simple record, not a set of weighted records; replace it with weighted records ${service.targets.map((t) => `"${t.setIdentifier}"`).join(', ')}.`,
    };
  }
  const found = service.targets.map((target) => ({
    target,
    set: sets.find((set) => set.SetIdentifier === target.setIdentifier),
  }));
  const missing = found.filter((f) => f.set === undefined).map((f) => f.target);
  if (missing.length > 0) {
    const others = sets.map((set) => set.SetIdentifier).filter((id) => id !== undefined);
    return {
      ok: false,
      reason: 'missing-set',
      message:
        `${prefix}: no weighted record set for ${named(missing)} at ${where}` +
        `${others.length > 0 ? ` (set identifiers found: ${others.map((id) => `"${id}"`).join(', ')})` : ''}; ` +
        'create it, or fix setIdentifier in the service config.',
    };
  }
  const weighted = found.map((f) => ({ target: f.target, set: toWeighted(f.set) }));
  const notWeighted = weighted.filter((w) => w.set === undefined).map((w) => w.target);
  if (notWeighted.length > 0) {
    return {
      ok: false,
      reason: 'not-weighted',
      message: `${prefix}: record set ${notWeighted.map((t) => `"${t.setIdentifier}"`).join(', ')} at ${where} has no Weight (another routing policy); the controller only flips weighted records.`,
    };
  }
  const readingSets: Record<string, WeightedRecordSet> = {};
  for (const { target, set } of weighted) if (set !== undefined) readingSets[target.id] = set;
  const weights = service.targets.map((t) => `${t.setIdentifier}=${readingSets[t.id]?.Weight}`).join(', ');
  const live = service.targets.filter((t) => (readingSets[t.id]?.Weight ?? 0) > 0);
  if (live.length === 0) {
    const what = service.targets.length === 2 ? 'both weights are 0' : 'every weight is 0';
    return {
      ok: false,
      reason: 'ambiguous-weights',
      message: `${prefix}: ${what} at ${where} (${weights}); at least one record must have a weight above 0 (Route 53 splits traffic evenly otherwise). Set the weights by hand, then resume.`,
    };
  }
  // Several weights above 0 is a split: a ramped failback's (issue #13) or a hand edit's. Only the
  // state can tell which, so the reading says so (`active` null) and the caller judges.
  const [only] = live;
  const active = live.length === 1 && only !== undefined ? only.id : null;
  return { ok: true, reading: { service: service.name, active, sets: readingSets } };
}

/** The set with every field Route 53 returned (absent ones dropped), or undefined if it is not weighted. */
function toWeighted(set: ResourceRecordSet | undefined): WeightedRecordSet | undefined {
  if (set === undefined) {
    return undefined;
  }
  const { Name, Type, SetIdentifier, Weight } = set;
  if (Name === undefined || Type === undefined || SetIdentifier === undefined || Weight === undefined) {
    return undefined;
  }
  const fields = Object.fromEntries(Object.entries(set).filter(([, value]) => value !== undefined));
  return { ...fields, Name, Type, SetIdentifier, Weight };
}
