/**
 * Rules that span several fields or services. They read the document as written (after
 * references are resolved) leniently, so they are reported together with the field errors
 * elsewhere in the file; a value that is itself invalid is skipped (the schema reports it).
 */

import { checkRules, type ProbeInterval } from './check-rules.ts';
import { hostedZoneId, recordName, recordType } from './document-schema.ts';
import type { FieldIssue } from './field-path.ts';
import { failbackSteps, POLICY_DEFAULTS, probeIntervalSeconds } from './policy.ts';
import { asList, asMapping, type Mapping, validValue } from './raw-document.ts';
import { formatTargetPath, targetEntries } from './target-entries.ts';
import { closestName } from './wording.ts';

/** Every problem in the document that no single field shows. */
export function checkCrossRules(document: unknown): FieldIssue[] {
  const root = asMapping(document);
  if (root === undefined) return [];
  const entries = asList(root.services);
  const services = entries.map((entry) => asMapping(entry) ?? {});
  const groups = Object.keys(asMapping(root.notifiers) ?? {});
  const defaults = asMapping(root.defaults) ?? {};
  return [
    ...uniqueNames(services),
    ...uniqueRecords(services),
    ...services.flatMap((service, index) => [
      // An entry that is not a mapping has its own error already; nothing in it to check.
      ...(asMapping(entries[index]) === undefined ? [] : targetForm(service, index)),
      ...distinctSetIdentifiers(service, index),
      ...knownNotifierGroups(service, index, groups),
      ...checkRules(service, index, probeInterval(service, index, defaults)),
      ...rampNeedsWeight(service, index, defaults),
      ...rampNeedsWeights(service, index, defaults),
      ...topologyRules(service, index, defaults),
    ]),
  ];
}

/** A ramp splits the active weight between two records: a weight of 1 cannot be split (issue #13). */
function rampNeedsWeight(service: Mapping, index: number, defaults: Mapping): FieldIssue[] {
  const steps =
    validValue(failbackSteps, service.failbackSteps) ?? validValue(failbackSteps, defaults.failbackSteps);
  if (steps === undefined || steps.length < 2 || service.activeWeight !== 1) return [];
  return [
    {
      path: ['services', index, 'activeWeight'],
      message: `is 1, which cannot be split between two records, but failbackSteps is [${steps.join(', ')}]; raise activeWeight (e.g. 100) or set failbackSteps: [100]`,
    },
  ];
}

/**
 * A ramp's steps are weight changes (compare-and-swap batches): `dataPlane: only` never changes a
 * weight, and its signal allows whole targets, so a split could land nowhere (issues #12, #13).
 */
function rampNeedsWeights(service: Mapping, index: number, defaults: Mapping): FieldIssue[] {
  const steps =
    validValue(failbackSteps, service.failbackSteps) ?? validValue(failbackSteps, defaults.failbackSteps);
  const mode = service.dataPlane ?? defaults.dataPlane;
  if (steps === undefined || steps.length < 2 || mode !== 'only') return [];
  const stepsList = `[${steps.join(', ')}]`;
  const fix = 'set failbackSteps: [100] or dataPlane: fallback';
  // Reported where the service sets one of the two; both from `defaults`: on the service's dataPlane.
  return [
    service.failbackSteps !== undefined
      ? {
          path: ['services', index, 'failbackSteps'],
          message: `is ${stepsList}, a gradual failback, but dataPlane is only, which never changes a weight: the steps could not land; ${fix}`,
        }
      : {
          path: ['services', index, 'dataPlane'],
          message: `is only, which never changes a weight, but failbackSteps is ${stepsList}, a gradual failback whose steps could not land; ${fix}`,
        },
  ];
}

function uniqueNames(services: readonly Mapping[]): FieldIssue[] {
  const firstIndex = new Map<string, number>();
  const issues: FieldIssue[] = [];
  for (const [index, service] of services.entries()) {
    if (typeof service.name !== 'string') continue;
    const first = firstIndex.get(service.name);
    if (first === undefined) firstIndex.set(service.name, index);
    else {
      issues.push({
        path: ['services', index, 'name'],
        message: `"${service.name}" is already the name of services[${first}]; service names must be unique`,
      });
    }
  }
  return issues;
}

function uniqueRecords(services: readonly Mapping[]): FieldIssue[] {
  const firstIndex = new Map<string, number>();
  const issues: FieldIssue[] = [];
  for (const [index, service] of services.entries()) {
    const zone = validValue(hostedZoneId, service.hostedZoneId);
    const name = validValue(recordName, service.recordName);
    const type = validValue(recordType, service.recordType);
    if (zone === undefined || name === undefined || type === undefined) continue;
    const key = `${zone} ${name} ${type}`;
    const first = firstIndex.get(key);
    if (first === undefined) firstIndex.set(key, index);
    else {
      issues.push({
        path: ['services', index, 'recordName'],
        message: `services[${first}] already controls ${name} ${type} in zone ${zone}; two services must not flip the same records`,
      });
    }
  }
  return issues;
}

/**
 * A service gives its targets one way: `primary:` and `secondary:`, or a `targets:` list in
 * preference order (with distinct ids). Checked on the raw document, so these problems are reported
 * with every other one of the file, not only once the rest of the service is valid.
 */
function targetForm(service: Mapping, index: number): FieldIssue[] {
  const at = (...path: (string | number)[]) => ['services', index, ...path];
  const sugar = (['primary', 'secondary'] as const).filter((side) => service[side] !== undefined);
  if (sugar.length > 0 && service.targets !== undefined) {
    return [
      { path: at('targets'), message: 'give either primary and secondary, or a targets list, not both' },
    ];
  }
  if (sugar.length === 0 && service.targets === undefined) {
    return [
      {
        path: at('primary'),
        message: 'is required: give primary and secondary (or a targets list in preference order)',
      },
    ];
  }
  if (sugar.length === 1) {
    const missing = sugar[0] === 'primary' ? 'secondary' : 'primary';
    return [{ path: at(missing), message: 'is required: a service needs both primary and secondary' }];
  }
  const ids = asList(service.targets).map((entry) => asMapping(entry)?.id);
  return ids.flatMap((id, position): FieldIssue[] => {
    const first = ids.indexOf(id);
    if (typeof id !== 'string' || first === position) return [];
    return [
      {
        path: at('targets', position, 'id'),
        message: `"${id}" is already the id of targets[${first}]; ids must differ`,
      },
    ];
  });
}

function distinctSetIdentifiers(service: Mapping, index: number): FieldIssue[] {
  const seen = new Map<string, string>();
  const issues: FieldIssue[] = [];
  for (const { at, target } of targetEntries(service)) {
    const id = asMapping(target)?.setIdentifier;
    if (typeof id !== 'string') continue;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, formatTargetPath(at));
    else {
      issues.push({
        path: ['services', index, ...at, 'setIdentifier'],
        message: `"${id}" is also ${first}.setIdentifier; each weighted record needs its own set identifier`,
      });
    }
  }
  return issues;
}

function knownNotifierGroups(service: Mapping, index: number, groups: readonly string[]): FieldIssue[] {
  const defined =
    groups.length === 0 ? 'no groups are defined under notifiers' : `defined: ${groups.join(', ')}`;
  return asList(service.notify).flatMap((name, position): FieldIssue[] => {
    if (typeof name !== 'string' || groups.includes(name)) return [];
    const suggestion = closestName(name, groups);
    const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
    return [
      {
        path: ['services', index, 'notify', position],
        message: `no notifier group "${name}"${hint}; ${defined}`,
      },
    ];
  });
}

/** The interval the service will probe at, or undefined when the setting is itself invalid. */
function probeInterval(service: Mapping, index: number, defaults: Mapping): ProbeInterval | undefined {
  if (service.probeIntervalSeconds !== undefined) {
    const seconds = validValue(probeIntervalSeconds, service.probeIntervalSeconds);
    return seconds === undefined ? undefined : { seconds, setBy: `services[${index}].probeIntervalSeconds` };
  }
  if (defaults.probeIntervalSeconds !== undefined) {
    const seconds = validValue(probeIntervalSeconds, defaults.probeIntervalSeconds);
    return seconds === undefined ? undefined : { seconds, setBy: 'defaults.probeIntervalSeconds' };
  }
  return { seconds: POLICY_DEFAULTS.probeIntervalSeconds, setBy: 'the default probeIntervalSeconds' };
}

/** Route 53's largest weight: an active-active total above it could not go to one survivor. */
const MAX_TOTAL_WEIGHT = 255;

/**
 * `mode: active-active` (issue #13 item 3): every target has a `weight`, together at most 255 (a lone
 * survivor carries the whole total), `minHealthyTargets` below the number of targets, and no data
 * plane (its signal allows whole targets, not shares). Active-passive: neither `weight` nor
 * `minHealthyTargets`, which would be silently ignored.
 */
function topologyRules(service: Mapping, index: number, defaults: Mapping): FieldIssue[] {
  const at = (...path: (string | number)[]) => ['services', index, ...path];
  const entries = targetEntries(service);
  const activeActive = service.mode === 'active-active';
  const issues: FieldIssue[] = [];
  if (!activeActive) {
    for (const { at: where, target } of entries) {
      if (asMapping(target)?.weight === undefined) continue;
      issues.push({
        path: at(...where, 'weight'),
        message: `is set, but ${formatTargetPath(where)} belongs to an active-passive service, where the active record gets activeWeight; remove it, or set mode: active-active`,
      });
    }
    if (service.minHealthyTargets !== undefined) {
      issues.push({
        path: at('minHealthyTargets'),
        message: 'applies to mode: active-active only; remove it, or set mode: active-active',
      });
    }
    return issues;
  }
  let total = 0;
  for (const { at: where, target } of entries) {
    const weight = asMapping(target)?.weight;
    if (weight === undefined) {
      issues.push({
        path: at(...where, 'weight'),
        message: `is required for every target of an active-active service (its share of the traffic, 1..255); ${formatTargetPath(where)} has none`,
      });
    }
    if (typeof weight === 'number') total += weight;
  }
  if (total > MAX_TOTAL_WEIGHT) {
    issues.push({
      path: at('mode'),
      message: `is active-active, but the targets' weights add up to ${total}, above ${MAX_TOTAL_WEIGHT} (Route 53's largest weight, which one survivor must be able to carry); scale them down, e.g. to percents`,
    });
  }
  const min = service.minHealthyTargets;
  if (typeof min === 'number' && entries.length > 0 && min >= entries.length) {
    issues.push({
      path: at('minHealthyTargets'),
      message: `is ${min}, but the service has ${entries.length} targets: no target could ever be drained; set it below ${entries.length}`,
    });
  }
  const dataPlane = service.dataPlane ?? defaults.dataPlane;
  if (dataPlane !== undefined && dataPlane !== 'off') {
    issues.push({
      path: at(service.dataPlane === undefined ? 'mode' : 'dataPlane'),
      message: `active-active with dataPlane: ${String(dataPlane)} is not supported: the data-plane signal allows whole targets, not shares of the traffic; set dataPlane: off for this service`,
    });
  }
  return issues;
}
