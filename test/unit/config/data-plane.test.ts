import { describe, expect, it } from 'vitest';
import { aService, parse, pathsAndMessages, problemsIn } from './sample-config.ts';

describe('dataPlane policy fields (issue #12)', () => {
  it('leaves the data plane off with a 30 s deadline when nothing is set', () => {
    const config = parse({ services: [aService('payments-api')] });

    expect(config.services[0]?.dataPlane).toEqual({ mode: 'off', deadlineSeconds: 30 });
  });

  it('takes the mode and deadline from defaults, and a service overrides them', () => {
    // Prepare
    const document = {
      defaults: { dataPlane: 'fallback', dataPlaneDeadlineSeconds: 45 },
      services: [aService('payments-api'), aService('ledger-api', { dataPlane: 'only' })],
    };

    // Act
    const config = parse(document);

    // Assess
    expect(config.services.map((s) => s.dataPlane)).toEqual([
      { mode: 'fallback', deadlineSeconds: 45 },
      { mode: 'only', deadlineSeconds: 45 },
    ]);
  });

  it('refuses a mode it does not know, naming the field and the allowed values', () => {
    const issues = problemsIn({ services: [aService('payments-api', { dataPlane: 'both' })] });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].dataPlane: must be off, fallback or only, got "both"',
    ]);
  });

  it('refuses a deadline the flip function could not wait out before its own timeout', () => {
    const issues = problemsIn({ defaults: { dataPlaneDeadlineSeconds: 600 }, services: [aService('a-api')] });

    expect(pathsAndMessages(issues)).toEqual([
      'defaults.dataPlaneDeadlineSeconds: must be a whole number from 1 to 90, got 600',
    ]);
  });

  it('refuses a gradual failback for dataPlane: only, whose weights never change (issue #13)', () => {
    // Prepare
    const document = {
      defaults: { failbackSteps: [10, 50, 100] },
      services: [
        aService('payments-api', { dataPlane: 'only' }),
        aService('ledger-api', { dataPlane: 'only', failbackSteps: [25, 100] }),
        aService('search-api', { dataPlane: 'fallback' }),
      ],
    };

    // Act
    const issues = problemsIn(document);

    // Assess
    expect(pathsAndMessages(issues)).toEqual([
      'services[0].dataPlane: is only, which never changes a weight, but failbackSteps is [10, 50, 100], a gradual failback whose steps could not land; set failbackSteps: [100] or dataPlane: fallback',
      'services[1].failbackSteps: is [25, 100], a gradual failback, but dataPlane is only, which never changes a weight: the steps could not land; set failbackSteps: [100] or dataPlane: fallback',
    ]);
  });
});
