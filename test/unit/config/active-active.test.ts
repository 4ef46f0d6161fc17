/** `mode: active-active` (issue #13 item 3): a weight per target, minHealthyTargets, what is refused. */
import { describe, expect, it } from 'vitest';
import { aService, parse, pathsAndMessages, problemsIn } from './sample-config.ts';

const tcp = (host: string) => [{ tcp: { host, port: 443 } }];
const aTarget = (id: string, weight?: number) => ({
  id,
  setIdentifier: id,
  checks: tcp(`${id}.example.com`),
  ...(weight === undefined ? {} : { weight }),
});
const activeActive = (targets: unknown, fields: Record<string, unknown> = {}) => {
  const { primary: _primary, secondary: _secondary, ...rest } = aService('payments-api');
  return { ...rest, mode: 'active-active', targets, ...fields };
};

describe('mode: active-active', () => {
  it("carries each target's weight and minHealthyTargets in the service's policy", () => {
    const config = parse({
      services: [
        activeActive([aTarget('a', 50), aTarget('b', 30), aTarget('c', 20)], { minHealthyTargets: 2 }),
      ],
    });

    expect(config.services[0]?.policy.activeActive).toEqual({
      weights: { a: 50, b: 30, c: 20 },
      minHealthyTargets: 2,
    });
  });

  it('leaves an active-passive service exactly as before: no topology in its policy', () => {
    const config = parse({ services: [aService('payments-api')] });

    expect(config.services[0]?.policy.activeActive).toBeUndefined();
  });

  it('requires a weight on every target, and names the target', () => {
    const issues = problemsIn({ services: [activeActive([aTarget('a', 50), aTarget('b')])] });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].targets[1].weight: is required for every target of an active-active service (its share of the traffic, 1..255); targets[1] has none',
    ]);
  });

  it('refuses weights that add up to more than one survivor could carry', () => {
    const issues = problemsIn({ services: [activeActive([aTarget('a', 200), aTarget('b', 100)])] });

    expect(pathsAndMessages(issues)).toEqual([
      "services[0].mode: is active-active, but the targets' weights add up to 300, above 255 (Route 53's largest weight, which one survivor must be able to carry); scale them down, e.g. to percents",
    ]);
  });

  it('refuses a minHealthyTargets that would never let a target be drained', () => {
    const issues = problemsIn({
      services: [activeActive([aTarget('a', 50), aTarget('b', 50)], { minHealthyTargets: 2 })],
    });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].minHealthyTargets: is 2, but the service has 2 targets: no target could ever be drained; set it below 2',
    ]);
  });

  it('refuses the data plane, whose signal allows whole targets, not shares', () => {
    const issues = problemsIn({
      services: [activeActive([aTarget('a', 50), aTarget('b', 50)], { dataPlane: 'fallback' })],
    });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].dataPlane: active-active with dataPlane: fallback is not supported: the data-plane signal allows whole targets, not shares of the traffic; set dataPlane: off for this service',
    ]);
  });

  it('refuses a weight or minHealthyTargets on an active-passive service', () => {
    const service = aService('payments-api', {
      minHealthyTargets: 1,
      primary: { setIdentifier: 'primary', checks: tcp('p.example.com'), weight: 10 },
    });

    const issues = problemsIn({ services: [service] });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].primary.weight: is set, but primary belongs to an active-passive service, where the active record gets activeWeight; remove it, or set mode: active-active',
      'services[0].minHealthyTargets: applies to mode: active-active only; remove it, or set mode: active-active',
    ]);
  });
});
