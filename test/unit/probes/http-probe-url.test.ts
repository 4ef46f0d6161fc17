import { describe, expect, it } from 'vitest';
import { probeHttp } from '../../../shared/probes/http-probe.ts';
import { httpCheck } from '../../support/probe-checks.ts';

describe('probeHttp with a URL it cannot parse', () => {
  it('fails the check at once, naming the URL without its query or credentials', async () => {
    // Prepare: the loader refuses such a URL; a check built another way may still carry one
    const check = httpCheck('https://probe:pw@exa mple.com:99999/health?token=SECRETVALUE');

    // Act
    const result = await probeHttp(check);

    // Assess
    expect(result).toEqual({
      check: 'http GET https://exa mple.com:99999/health?<redacted>',
      ok: false,
      latencyMs: 0,
      reason: 'invalid URL https://exa mple.com:99999/health?<redacted>',
    });
  });
});
