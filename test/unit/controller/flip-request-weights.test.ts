import { describe, expect, it } from 'vitest';
import { parseFlipRequest } from '../../../shared/controller/flip-request.ts';

describe('parseFlipRequest, weights (active-active, issue #13 item 3)', () => {
  it("accepts the watchdog's weight map on its epoch", () => {
    const parsed = parseFlipRequest({ service: 'svc', to: 'a', epoch: 3, weights: { a: 63, b: 37, c: 0 } });

    expect(parsed).toMatchObject({ ok: true, request: { weights: { a: 63, b: 37, c: 0 } } });
  });

  it("refuses a weight map without an epoch: only the watchdog's decisions carry one", () => {
    const parsed = parseFlipRequest({ service: 'svc', weights: { a: 100 } });

    expect(parsed).toEqual({
      ok: false,
      errors: ["weights: only the watchdog's own requests (with an epoch) carry a weight map"],
    });
  });

  it('refuses a map that puts every weight at 0, or a weight Route 53 cannot take', () => {
    expect(parseFlipRequest({ service: 'svc', epoch: 1, weights: { a: 0, b: 0 } }).ok).toBe(false);
    expect(parseFlipRequest({ service: 'svc', epoch: 1, weights: { a: 256 } }).ok).toBe(false);
  });
});
