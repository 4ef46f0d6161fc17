import { z } from 'zod';
import type { Check, ControllerConfig, NotifierConfig, Policy, ServiceConfig } from '../domain/config.ts';
import { isTargetId, MAX_CHECKS_PER_TARGET, MAX_SERVICE_NAME_CHARS, MAX_TARGETS } from '../domain/limits.ts';
import { check } from './check-schema.ts';
import { interpretRecordName } from './dns-name.ts';
import { emptyMeansUnset, type Interpretation, oneOf, plainText, text, wholeNumber } from './fields.ts';
import { notifiers } from './notifier-schema.ts';
import { policyFields, resolveDataPlane, resolveMetrics, resolvePolicy } from './policy.ts';
import { vantages } from './vantages-schema.ts';
import { describeValue } from './wording.ts';

const SERVICE_NAME = new RegExp(`^[a-z0-9][a-z0-9-]{0,${MAX_SERVICE_NAME_CHARS - 1}}$`);
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;

function serviceName(value: string): Interpretation<string> {
  return SERVICE_NAME.test(value)
    ? { value }
    : {
        problem: `must be 1 to ${MAX_SERVICE_NAME_CHARS} lowercase letters, digits and "-", starting with a letter or digit (it keys the state table and metrics), got ${describeValue(value)}`,
      };
}

/** Accepts the id as the console shows it or as the API returns it (`/hostedzone/Z...`). */
export function interpretHostedZoneId(value: string): Interpretation<string> {
  const id = value.replace(/^\/hostedzone\//, '');
  return HOSTED_ZONE_ID.test(id)
    ? { value: id }
    : {
        problem: `must be a Route 53 hosted zone ID: "Z" and uppercase letters or digits, such as Z0123456789ABCDEFGHIJ, got ${describeValue(value)}`,
      };
}

export const hostedZoneId = text(interpretHostedZoneId);
export const recordName = text(interpretRecordName);
export const recordType = oneOf(['A', 'AAAA', 'CNAME']);

function targetId(value: string): Interpretation<string> {
  return isTargetId(value)
    ? { value }
    : {
        problem: `must be 1 to 32 lowercase letters, digits and "-", starting with a letter, not "constructor" or "prototype" (it names the target in state, metrics and notifications), got ${describeValue(value)}`,
      };
}

const targetFields = {
  setIdentifier: plainText(1, 128),
  /** `mode: active-active` only: the target's configured share (issue #13 item 3). */
  weight: wholeNumber(1, 255).optional(),
  checks: z
    .array(check, {
      error: (issue) =>
        `must be a list of checks (http, tcp, cloudwatchAlarm), got ${describeValue(issue.input)}`,
    })
    .min(1, { error: 'must list at least one check', abort: true })
    .max(MAX_CHECKS_PER_TARGET, {
      error: (issue) =>
        `must list at most ${MAX_CHECKS_PER_TARGET} checks (each one's result travels in the flip request), got ${Array.isArray(issue.input) ? issue.input.length : 'more'}; group endpoints behind one health URL or a CloudWatch alarm`,
    }),
};
const target = z.strictObject(targetFields);
const listedTarget = z.strictObject({ id: text(targetId), ...targetFields });

const service = z.strictObject({
  name: text(serviceName),
  hostedZoneId,
  recordName,
  recordType,
  activeWeight: wholeNumber(1, 255).default(100),
  /** Issue #13 item 3: `active-active` spreads traffic by each target's `weight`. */
  mode: oneOf(['active-passive', 'active-active']).optional(),
  minHealthyTargets: wholeNumber(1, MAX_TARGETS).optional(),
  // Two targets as `primary:` and `secondary:`, or any number as `targets:` in preference order.
  primary: target.optional(),
  secondary: target.optional(),
  targets: z
    .array(listedTarget, {
      error: (issue) =>
        `must be a list of targets ({ id, setIdentifier, checks }), got ${describeValue(issue.input)}`,
    })
    .min(2, {
      error: 'must list at least two targets: where traffic belongs and where it goes instead',
      abort: true,
    })
    .max(MAX_TARGETS, { error: `must list at most ${MAX_TARGETS} targets` })
    .optional(),
  notify: emptyMeansUnset(
    z
      .array(plainText(1, 64), {
        error: (issue) => `must be a list of notifier group names, got ${describeValue(issue.input)}`,
      })
      .default(() => []),
  ),
  ...policyFields,
});

/** The file's two ways to give targets, as the one list the controller reads (`primary:` first). */
function targetsOf(entry: z.output<typeof service>): ServiceConfig['targets'] {
  if (entry.targets !== undefined) return entry.targets;
  const sugar = [
    ['primary', entry.primary],
    ['secondary', entry.secondary],
  ] as const;
  return sugar.flatMap(([id, fields]) => (fields === undefined ? [] : [{ id, ...fields }]));
}

/**
 * The policy of an active-active service carries its topology (each target's weight and
 * `minHealthyTargets`); `cross-rules.ts` has already refused a weight missing or out of place.
 */
function withTopology(policy: Policy, entry: z.output<typeof service>): Policy {
  if (entry.mode !== 'active-active') return policy;
  const weights = Object.fromEntries(targetsOf(entry).map((t) => [t.id, t.weight ?? 1]));
  return { ...policy, activeActive: { weights, minHealthyTargets: entry.minHealthyTargets ?? 1 } };
}

/**
 * The whole file: `defaults`, `services` and `notifiers`, normalized and merged into what the
 * controller reads (everything but `file`). Rules across services are in `cross-rules.ts`.
 */
export const configDocument = z
  .strictObject(
    {
      defaults: emptyMeansUnset(z.strictObject(policyFields).default(() => ({}))),
      services: z
        .array(service, {
          error: (issue) =>
            issue.input === undefined
              ? 'is required: list the services to protect'
              : `must be a list of services, got ${describeValue(issue.input)}`,
        })
        .min(1, { error: 'must list at least one service', abort: true }),
      notifiers,
      vantages: vantages.optional(),
    },
    {
      error: (issue) =>
        issue.code === 'invalid_type'
          ? `the file must hold a mapping with services (and optionally defaults and notifiers), got ${describeValue(issue.input)}`
          : undefined,
    },
  )
  .transform(
    (document): Omit<ControllerConfig, 'file'> => ({
      services: document.services.map(
        (entry): ServiceConfig => ({
          name: entry.name,
          hostedZoneId: entry.hostedZoneId,
          recordName: entry.recordName,
          recordType: entry.recordType,
          activeWeight: entry.activeWeight,
          targets: targetsOf(entry),
          notify: entry.notify,
          policy: withTopology(resolvePolicy(entry, document.defaults), entry),
          metrics: resolveMetrics(entry, document.defaults),
          dataPlane: resolveDataPlane(entry, document.defaults),
        }),
      ),
      notifiers: document.notifiers,
      ...(document.vantages === undefined ? {} : { vantages: document.vantages }),
    }),
  );

// ---- Compile-time contract: the schema produces exactly the domain types ----------------------

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export type SchemaMatchesDomain = [
  Expect<Equal<z.output<typeof check>, Check>>,
  Expect<Equal<z.output<typeof notifiers>[string][number], NotifierConfig>>,
  Expect<Equal<z.output<typeof configDocument>, Omit<ControllerConfig, 'file'>>>,
];
