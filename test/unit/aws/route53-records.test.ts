import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { describe, expect, it } from 'vitest';
import { classifyWeightedSets } from '../../../shared/aws/route53-records.ts';
import type { ServiceConfig } from '../../../shared/domain/config.ts';
import { service as twoTargets } from './traffic-switch-fixtures.ts';

/** Three targets whose set identifiers differ from their ids, so the reading is keyed by id. */
const service: ServiceConfig = {
  ...twoTargets,
  targets: [
    { id: 'eu-west', setIdentifier: 'blue', checks: [] },
    { id: 'us-east', setIdentifier: 'green', checks: [] },
    { id: 'ap-south', setIdentifier: 'red', checks: [] },
  ],
};

const set = (setIdentifier: string, weight: number): ResourceRecordSet => ({
  Name: 'api.example.com.',
  Type: 'CNAME',
  SetIdentifier: setIdentifier,
  Weight: weight,
  TTL: 60,
  ResourceRecords: [{ Value: `${setIdentifier}.example.net` }],
});
const WHERE = 'api.example.com. CNAME in hosted zone Z0123456789ABC';

describe('classifyWeightedSets over three targets', () => {
  it('reports the one target with a weight above 0 as active, each set under its target id', () => {
    const canary = set('canary', 0);

    const result = classifyWeightedSets(service, [set('blue', 0), canary, set('green', 100), set('red', 0)]);

    expect(result).toEqual({
      ok: true,
      reading: {
        service: 'payments-api',
        active: 'us-east',
        sets: { 'eu-west': set('blue', 0), 'us-east': set('green', 100), 'ap-south': set('red', 0) },
      },
    });
  });

  it('refuses sets that all weigh 0, listing every weight', () => {
    const result = classifyWeightedSets(service, [set('blue', 0), set('green', 0), set('red', 0)]);

    expect(result).toEqual({
      ok: false,
      reason: 'ambiguous-weights',
      message: `Service "payments-api": every weight is 0 at ${WHERE} (blue=0, green=0, red=0); at least one record must have a weight above 0 (Route 53 splits traffic evenly otherwise). Set the weights by hand, then resume.`,
    });
  });

  it('reads two sets with a weight above 0 as split traffic: no active target, every weight kept', () => {
    const result = classifyWeightedSets(service, [set('blue', 100), set('green', 0), set('red', 50)]);

    expect(result).toEqual({
      ok: true,
      reading: {
        service: 'payments-api',
        active: null,
        sets: { 'eu-west': set('blue', 100), 'us-east': set('green', 0), 'ap-south': set('red', 50) },
      },
    });
  });

  it('names the one set of three that is missing', () => {
    const result = classifyWeightedSets(service, [set('blue', 100), set('red', 0)]);

    expect(result).toMatchObject({ ok: false, reason: 'missing-set' });
    expect(result.ok === false && result.message).toContain(
      `no weighted record set for us-east "green" at ${WHERE} (set identifiers found: "blue", "red")`,
    );
  });
});

describe('classifyWeightedSets over two targets', () => {
  it.each([[0, 0, 'both weights are 0 at']])(
    'keeps the two-target wording for weights %i and %i',
    (primary, secondary, wording) => {
      const result = classifyWeightedSets(twoTargets, [set('primary', primary), set('secondary', secondary)]);

      expect(result.ok === false && result.message).toBe(
        `Service "payments-api": ${wording} ${WHERE} (primary=${primary}, secondary=${secondary}); at least one record must have a weight above 0 (Route 53 splits traffic evenly otherwise). Set the weights by hand, then resume.`,
      );
    },
  );

  it('reads weights 10 and 90 as a split with no active target (a ramped failback, issue #13)', () => {
    const result = classifyWeightedSets(twoTargets, [set('primary', 10), set('secondary', 90)]);

    expect(result.ok && result.reading.active).toBeNull();
    expect(result.ok && [result.reading.sets.primary?.Weight, result.reading.sets.secondary?.Weight]).toEqual(
      [10, 90],
    );
  });
});
