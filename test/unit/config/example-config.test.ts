import { resolve } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { loadConfig } from '../../../shared/config/index.ts';
import type { ControllerConfig } from '../../../shared/domain/config.ts';
import { configErrorFrom } from './sample-config.ts';

const EXAMPLE = resolve(import.meta.dirname, '../../../failover.config.example.yml');
const EXAMPLE_ENV = { LEDGER_PRIMARY_HOST: '10.20.0.14' };

describe('failover.config.example.yml', () => {
  it('validates as a complete configuration', () => {
    // Act (the example's ${env:...} references resolve from EXAMPLE_ENV)
    const config = loadConfig({ file: EXAMPLE, env: EXAMPLE_ENV });

    // Assess
    expectTypeOf(config).toEqualTypeOf<ControllerConfig>();
    expect(config.file).toBe(EXAMPLE);
    expect(config.services.map((service) => service.name)).toEqual(['payments-api', 'ledger-api']);
    expect(Object.keys(config.notifiers)).toEqual(['oncall', 'platform']);
  });

  it('uses every check kind and every notifier kind', () => {
    const config = loadConfig({ file: EXAMPLE, env: EXAMPLE_ENV });

    const checkKinds = config.services.flatMap((service) =>
      service.targets.flatMap((target) => target.checks).map((check) => check.kind),
    );
    const notifierKinds = Object.values(config.notifiers).flatMap((group) =>
      group.map((entry) => entry.kind),
    );
    expect(new Set(checkKinds)).toEqual(new Set(['http', 'tcp', 'cloudwatch-alarm']));
    expect(new Set(notifierKinds)).toEqual(new Set(['sns', 'slack', 'pagerduty', 'webhook']));
  });

  it('comes back deep-frozen, so no reader can change it', () => {
    const config = loadConfig({ file: EXAMPLE, env: EXAMPLE_ENV });
    const service = config.services[0];

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.services)).toBe(true);
    expect(Object.isFrozen(service?.targets[0]?.checks[0])).toBe(true);
    expect(Object.isFrozen(service?.policy)).toBe(true);
    expect(Object.isFrozen(config.notifiers.oncall?.[0])).toBe(true);
    expect(() => Object.assign(service?.policy ?? {}, { failback: 'auto' })).toThrow(TypeError);
  });

  it('names each environment variable it needs when they are not set', () => {
    const error = configErrorFrom(() => loadConfig({ file: EXAMPLE, env: {} }));

    expect(error.issues.map((issue) => issue.message)).toEqual([
      'environment variable LEDGER_PRIMARY_HOST is not set',
    ]);
  });
});
