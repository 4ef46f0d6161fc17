import { describe, expect, it } from 'vitest';
import { estimateMonthlyCost } from '../../../cli/cost-model.ts';
import { aService, parse } from '../config/sample-config.ts';

const usd = (lines: readonly { item: string; usd: number }[], item: string) =>
  lines.find((line) => line.item === item)?.usd;

describe('estimateMonthlyCost with dataPlane (issue #12)', () => {
  it('adds per target a health check, an alarm and a metric, and one PutMetricData per round', () => {
    // Two services, one with the data plane: its two targets are billed, the other's are not.
    const estimate = estimateMonthlyCost(
      parse({ services: [aService('payments-api', { dataPlane: 'fallback' }), aService('ledger-api')] }),
    );

    expect(usd(estimate.controller, 'Data-plane health checks')).toBeCloseTo(2 * 0.5, 10);
    expect(usd(estimate.controller, 'Data-plane alarms')).toBeCloseTo(2 * 0.1, 10);
    expect(usd(estimate.controller, 'Data-plane metrics')).toBeCloseTo(2 * 0.3, 10);
    // 730 h x 3,600 s / 10 s = 262,800 requests x $0.01 per 1,000
    expect(usd(estimate.controller, 'Data-plane PutMetricData')).toBeCloseTo(2.628, 6);
  });

  it('adds nothing while every service has the data plane off', () => {
    const estimate = estimateMonthlyCost(parse({ services: [aService('payments-api')] }));

    expect(estimate.controller.filter((line) => line.item.startsWith('Data-plane'))).toEqual([]);
  });
});
