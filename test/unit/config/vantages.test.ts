/**
 * `vantages:` (issue #11): the regions the watchdog runs in, the quorum they need, the canary.
 */
import { describe, expect, it } from 'vitest';
import { aService, parse, problemsIn } from './sample-config.ts';

const withVantages = (vantages: unknown) => ({ services: [aService('payments-api')], vantages });

describe('vantages', () => {
  it('defaults the quorum to a majority and leaves the canary unset', () => {
    const config = parse(withVantages({ regions: ['us-east-1', 'us-east-2', 'us-west-2'] }));

    expect(config.vantages).toEqual({
      regions: ['us-east-1', 'us-east-2', 'us-west-2'],
      quorum: 2,
      canary: null,
    });
  });

  it('reads the canary as an http check with the check defaults', () => {
    const config = parse(
      withVantages({ regions: ['us-east-1', 'us-east-2'], canary: { url: 'https://canary.example.net/' } }),
    );

    expect(config.vantages?.quorum).toBe(2);
    expect(config.vantages?.canary).toMatchObject({
      kind: 'http',
      url: 'https://canary.example.net/',
      method: 'GET',
      timeoutMs: 3000,
    });
  });

  it('is absent when the file does not set it: one watchdog decides alone', () => {
    expect(parse({ services: [aService('payments-api')] }).vantages).toBeUndefined();
  });

  it.each([
    [
      { regions: ['us-east-1', 'us-east-2', 'us-west-2'], quorum: 1 },
      'vantages.quorum',
      'must be a majority of the 3 regions (2 to 3), got 1',
    ],
    [
      { regions: ['us-east-1', 'us-east-2', 'us-west-2'], quorum: 4 },
      'vantages.quorum',
      'must be a majority of the 3 regions (2 to 3), got 4',
    ],
    [{ regions: ['us-east-1'] }, 'vantages.regions', 'must list at least two regions'],
    [{ regions: ['us-east-1', 'us-east-1'] }, 'vantages.regions', 'must not list a region twice'],
    [
      { regions: ['us-east-1', 'Frankfurt'] },
      'vantages.regions[1]',
      'must be an AWS region name such as us-east-1, got "Frankfurt"',
    ],
    [{ regions: ['us-east-1', 'us-east-2'], canary: { url: 'ftp://x' } }, 'vantages.canary.url', 'http'],
    [
      { regions: ['us-east-1', 'us-east-2'], home: 'us-east-1' },
      'vantages.home',
      'unknown field "home"; allowed here: regions, quorum, canary',
    ],
  ])('refuses %j, naming %s', (vantages, path, message) => {
    const problems = problemsIn(withVantages(vantages));

    expect(problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ path, message: expect.stringContaining(message) })]),
    );
  });
});
