import { describe, expect, it } from 'vitest';
import { ProberSetupError } from '../../../shared/probes/errors.ts';
import { createProber } from '../../../shared/probes/prober.ts';

describe('createProber setup', () => {
  it.each([0, -1, 2.5, Number.NaN])('refuses a concurrency of %s', (concurrency) => {
    expect(() => createProber({ concurrency })).toThrow(ProberSetupError);
  });

  it('refuses an extra CA that is not a PEM certificate', () => {
    expect(() => createProber({ ca: 'not a certificate' })).toThrow(ProberSetupError);
  });

  it('returns an empty round for no services', async () => {
    const observations = await createProber().probeServices([]);

    expect(observations.size).toBe(0);
  });
});
