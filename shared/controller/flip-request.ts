/**
 * The payload of the failover and failback functions, parsed strictly (see strict-payload.ts).
 */
import { z } from 'zod';
import { failbackSteps } from '../config/policy.ts';
import type { Evidence } from '../domain/events.ts';
import {
  isTargetId,
  MAX_CHECK_LABEL_CHARS,
  MAX_CHECK_LATENCY_MS,
  MAX_CHECK_REASON_CHARS,
  MAX_CHECKS_PER_TARGET,
  MAX_FLIP_REASON_CHARS,
  MAX_REQUESTED_BY_CHARS,
  MAX_SERVICE_NAME_CHARS,
  MAX_TARGETS,
} from '../domain/limits.ts';
import { isReservedIdentity, plainLine, RESERVED_IDENTITIES } from '../domain/plain-text.ts';
import type { RampStep } from '../domain/ramp.ts';
import { type ParsedRequest, parseStrictPayload } from './strict-payload.ts';

// The limits are the configuration's too (see limits.ts): the watchdog's own requests always fit.
export { MAX_FLIP_REASON_CHARS as MAX_REASON_CHARS, MAX_REQUESTED_BY_CHARS } from '../domain/limits.ts';

const checkResult = z.strictObject({
  check: z.string().max(MAX_CHECK_LABEL_CHARS),
  ok: z.boolean(),
  latencyMs: z.number().nonnegative().max(MAX_CHECK_LATENCY_MS),
  reason: z.string().max(MAX_CHECK_REASON_CHARS),
});

const targetId = z
  .string()
  .refine(isTargetId, { error: 'must be a target id (lowercase letters, digits and "-")' });

/**
 * Evidence by target id. Its keys are checked on the payload as sent, before the record is built:
 * a record would silently drop `__proto__`, and a strict parse rejects what it does not know.
 */
const evidence = z
  .unknown()
  .superRefine((value, context) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    const unknown = Object.keys(value).filter((key) => !isTargetId(key));
    if (unknown.length > 0)
      context.addIssue({ code: 'unrecognized_keys', keys: unknown, input: { ...value } });
  })
  .pipe(
    z
      .record(targetId, z.array(checkResult).max(MAX_CHECKS_PER_TARGET))
      .refine((byTarget) => Object.keys(byTarget).length <= MAX_TARGETS, {
        error: `at most ${MAX_TARGETS} targets`,
      }),
  );

/** Caller text kept to one plain line (no forged lines, no terminal escapes, no bidi tricks). */
export const freeText = (max: number) => z.string().max(max).transform(plainLine);

export const requester = z
  .string()
  .min(1)
  .max(MAX_REQUESTED_BY_CHARS)
  .transform(plainLine)
  .refine((name) => name !== '', { message: 'must name who asks' })
  .refine((name) => !isReservedIdentity(name), {
    message: `${RESERVED_IDENTITIES.map((n) => `'${n}'`).join(' and ')} are reserved for the controller's own decisions; give your own name`,
  });

const flipRequest = z.strictObject({
  service: z.string().min(1).max(MAX_SERVICE_NAME_CHARS),
  reason: freeText(MAX_FLIP_REASON_CHARS).optional(),
  requestedBy: requester.optional(),
  /** Set by the watchdog: the epoch it decided on. Absent for an operator's request. */
  epoch: z.number().int().nonnegative().optional(),
  dryRun: z.boolean().optional(),
  /** Only the forced-flip function accepts it (see flip.ts): IAM can allow flips without force. */
  force: z.boolean().optional(),
  /** The watchdog's probe results; used only for its own epoch-fenced requests, never an operator's. */
  evidence: evidence.optional(),
  /** Where the traffic goes (a target id); default: the second target for a failover, the first for a failback. */
  to: targetId.optional(),
  /** Set by the watchdog: the step of a ramped failback it decided (issue #13). */
  step: z
    .strictObject({ steps: failbackSteps, step: z.number().int().nonnegative() })
    .refine(({ steps, step }) => step < steps.length - 1, {
      error: 'step: must index a step before the last (the last moves all the traffic and carries no step)',
    })
    .optional(),
  /** Set by the watchdog for an active-active service (issue #13 item 3): the whole weight map to write. */
  weights: z
    .record(targetId, z.number().int().min(0).max(255))
    .refine((map) => Object.values(map).some((w) => w > 0), {
      error: 'weights: must give at least one target a weight above 0 (all 0 splits traffic evenly)',
    })
    .optional(),
  /**
   * An operator's failback by other steps than the policy's (issue #13), e.g. [100] to move all the
   * traffic at once (`failoverctl failback --steps 100`).
   */
  steps: failbackSteps.optional(),
  /** The watchdog's decision id (else the invocation's request id is used). */
  correlationId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/)
    .optional(),
});

export interface FlipRequest {
  readonly service: string;
  readonly reason?: string;
  readonly requestedBy?: string;
  readonly epoch?: number;
  readonly dryRun?: boolean;
  readonly force?: boolean;
  readonly evidence?: Evidence;
  readonly correlationId?: string;
  readonly to?: string;
  readonly step?: RampStep;
  readonly steps?: readonly number[];
  readonly weights?: Readonly<Record<string, number>>;
}

export type { ParsedRequest } from './strict-payload.ts';

/**
 * Parse an invocation payload into a {@link FlipRequest}, or readable errors.
 * @example
 * parseFlipRequest({ service: 'payments-api', reason: 'planned maintenance', requestedBy: 'alice' })
 * // => { ok: true, request: { service: 'payments-api', ... } }
 */
export function parseFlipRequest(payload: unknown): ParsedRequest<FlipRequest> {
  const parsed = parseStrictPayload(flipRequest, payload);
  if (!parsed.ok) return parsed;
  const { epoch, requestedBy, evidence: given, step, steps, weights } = parsed.request;
  const errors: string[] = [];
  if (epoch === undefined && weights !== undefined) {
    errors.push("weights: only the watchdog's own requests (with an epoch) carry a weight map");
  }
  // A ramp step is the watchdog's decision on an epoch; an operator names the whole list instead.
  if (epoch === undefined && step !== undefined) {
    errors.push("step: only the watchdog's own requests (with an epoch) carry a step; give steps instead");
  }
  if (epoch !== undefined && steps !== undefined) {
    errors.push("steps: the watchdog's own requests carry a step, not steps; leave out epoch");
  }
  // An epoch marks the watchdog's own decision, fenced by the flip function: it names no operator.
  if (epoch !== undefined && requestedBy !== undefined) {
    errors.push(
      "requestedBy: a request with an epoch is the watchdog's own decision and names no one; leave out epoch",
    );
  }
  // Evidence is what the controller saw; an operator's request cannot supply it.
  if (epoch === undefined && given !== undefined) {
    errors.push("evidence: only the watchdog's own requests (with an epoch) carry evidence; leave it out");
  }
  return errors.length === 0 ? parsed : { ok: false, errors };
}
