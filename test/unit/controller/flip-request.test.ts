import { describe, expect, it } from 'vitest';
import { parseFlipRequest } from '../../../shared/controller/flip-request.ts';
import {
  MAX_CHECK_LABEL_CHARS,
  MAX_CHECK_REASON_CHARS,
  MAX_CHECKS_PER_TARGET,
} from '../../../shared/domain/limits.ts';

describe('parseFlipRequest', () => {
  it('accepts an operator request and an automatic request with evidence', () => {
    const manual = parseFlipRequest({ service: 'payments-api', reason: 'db upgrade', requestedBy: 'alice' });
    const auto = parseFlipRequest({
      service: 'payments-api',
      epoch: 4,
      reason: 'primary down for 3 rounds',
      evidence: {
        primary: [
          { check: 'http GET https://p/health', ok: false, latencyMs: 3000, reason: 'timeout after 3000 ms' },
        ],
        secondary: [{ check: 'http GET https://s/health', ok: true, latencyMs: 12, reason: 'status 200' }],
      },
    });

    expect(manual).toEqual({
      ok: true,
      request: { service: 'payments-api', reason: 'db upgrade', requestedBy: 'alice' },
    });
    expect(auto.ok && auto.request.epoch).toBe(4);
  });

  it('rejects unknown fields instead of stripping them', () => {
    const out = parseFlipRequest({ service: 'payments-api', froce: true });

    expect(out.ok).toBe(false);
    expect(!out.ok && out.errors[0]).toMatch(/unknown field 'froce'; allowed: service, reason/);
  });

  it.each([
    ['__proto__', '{"service":"a","__proto__":{"force":true}}'],
    ['constructor', '{"service":"a","constructor":{"prototype":{"force":true}}}'],
  ])('rejects the prototype-pollution key %s', (key, json) => {
    const out = parseFlipRequest(JSON.parse(json));

    expect(out.ok).toBe(false);
    expect(!out.ok && out.errors.join('\n')).toContain(`'${key}'`);
    expect(({} as Record<string, unknown>).force).toBeUndefined();
  });

  it('bounds the reason to 1,000 and requestedBy to 200 characters', () => {
    const out = parseFlipRequest({ service: 'a', reason: 'x'.repeat(1_001), requestedBy: 'y'.repeat(201) });

    expect(out.ok).toBe(false);
    expect(!out.ok && out.errors).toEqual([
      'reason: at most 1000 characters',
      'requestedBy: at most 200 characters',
    ]);
  });

  it.each([null, 42, 'failover', [], [{ service: 'a' }]])(
    'rejects a payload that is not an object: %j',
    (payload) => {
      const out = parseFlipRequest(payload);

      expect(out.ok).toBe(false);
      expect(!out.ok && out.errors[0]).toMatch(/must be a JSON object/);
    },
  );

  it('names a missing service and a wrongly typed epoch', () => {
    const out = parseFlipRequest({ epoch: 'three' });

    expect(!out.ok && out.errors).toEqual(['service: expected string (missing)', 'epoch: expected number']);
  });

  it('accepts exactly the evidence limits the configuration enforces, and nothing over them', () => {
    const result = (check: string) => ({
      check,
      ok: false,
      latencyMs: 3_000,
      reason: 'r'.repeat(MAX_CHECK_REASON_CHARS),
    });
    const full = Array.from({ length: MAX_CHECKS_PER_TARGET }, () =>
      result('c'.repeat(MAX_CHECK_LABEL_CHARS)),
    );

    const atLimit = parseFlipRequest({
      service: 'a',
      epoch: 0,
      evidence: { primary: full, secondary: full },
    });
    const tooMany = parseFlipRequest({
      service: 'a',
      epoch: 0,
      evidence: { primary: [...full, result('c')], secondary: [] },
    });
    const tooLong = parseFlipRequest({
      service: 'a',
      epoch: 0,
      evidence: { primary: [result('c'.repeat(MAX_CHECK_LABEL_CHARS + 1))], secondary: [] },
    });

    expect(atLimit.ok).toBe(true);
    expect(!tooMany.ok && tooMany.errors).toEqual([`evidence.primary: at most ${MAX_CHECKS_PER_TARGET}`]);
    expect(!tooLong.ok && tooLong.errors).toEqual([
      `evidence.primary.0.check: at most ${MAX_CHECK_LABEL_CHARS} characters`,
    ]);
  });

  it('rejects a negative or fractional epoch', () => {
    expect(parseFlipRequest({ service: 'a', epoch: -1 }).ok).toBe(false);
    expect(parseFlipRequest({ service: 'a', epoch: 1.5 }).ok).toBe(false);
  });
});
