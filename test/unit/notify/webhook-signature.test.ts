import { describe, expect, it } from 'vitest';
import { signWebhookBody, verifyWebhookSignature } from '../../../shared/notify/webhook-signature.ts';

const NOW = Date.UTC(2026, 10, 26, 6, 30, 0);
const BODY = '{"event":"failover","service":"payments-api"}';
const SECRET = 'whsec-0123456789';

describe('verifyWebhookSignature', () => {
  it('accepts a body signed with the shared secret', () => {
    const header = signWebhookBody(BODY, SECRET, NOW);

    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(BODY, header, SECRET, { now: NOW })).toEqual({
      valid: true,
      timestamp: NOW / 1000,
    });
  });

  it('rejects a tampered body or the wrong secret', () => {
    const header = signWebhookBody(BODY, SECRET, NOW);

    expect(
      verifyWebhookSignature(BODY.replace('failover', 'failback'), header, SECRET, { now: NOW }),
    ).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(verifyWebhookSignature(BODY, header, 'another-secret', { now: NOW })).toMatchObject({
      valid: false,
    });
  });

  it('rejects a timestamp older or further in the future than the tolerance', () => {
    const old = signWebhookBody(BODY, SECRET, NOW - 301_000);
    const future = signWebhookBody(BODY, SECRET, NOW + 301_000);
    const recent = signWebhookBody(BODY, SECRET, NOW - 299_000);

    expect(verifyWebhookSignature(BODY, old, SECRET, { now: NOW })).toEqual({
      valid: false,
      reason: 'too-old',
    });
    expect(verifyWebhookSignature(BODY, future, SECRET, { now: NOW })).toEqual({
      valid: false,
      reason: 'in-the-future',
    });
    expect(verifyWebhookSignature(BODY, recent, SECRET, { now: NOW }).valid).toBe(true);
    expect(verifyWebhookSignature(BODY, old, SECRET, { now: NOW, toleranceSeconds: 600 }).valid).toBe(true);
  });

  it('rejects a missing or malformed header, and a re-timestamped signature', () => {
    const header = signWebhookBody(BODY, SECRET, NOW);
    const retimed = header.replace(/^t=\d+/, `t=${NOW / 1000 + 1}`);

    expect(verifyWebhookSignature(BODY, undefined, SECRET, { now: NOW })).toEqual({
      valid: false,
      reason: 'missing-header',
    });
    expect(verifyWebhookSignature(BODY, 'sha256=abc', SECRET, { now: NOW })).toEqual({
      valid: false,
      reason: 'malformed-header',
    });
    expect(verifyWebhookSignature(BODY, retimed, SECRET, { now: NOW })).toEqual({
      valid: false,
      reason: 'mismatch',
    });
  });

  it('accepts the old or the new secret while one is being rotated, and a Buffer body', () => {
    const header = signWebhookBody(BODY, 'old-secret', NOW);

    expect(
      verifyWebhookSignature(Buffer.from(BODY), header, ['new-secret', 'old-secret'], { now: NOW }).valid,
    ).toBe(true);
  });
});
