import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ASSUMPTIONS,
  estimateMonthlyCost,
  WATCHDOG_TIMEOUT_SECONDS,
} from '../../../cli/cost-model.ts';
import { readServerlessYml, settingsFromServerlessYml } from '../../../local/lambda/settings.ts';
import { aService, parse } from '../config/sample-config.ts';

const usd = (lines: readonly { item: string; usd: number }[], item: string) =>
  lines.find((line) => line.item === item)?.usd;

describe('estimateMonthlyCost', () => {
  // One service, defaults: probing every 10 s, 3 s timeouts, basic metrics, an https check per target.
  const basic = estimateMonthlyCost(parse({ services: [aService('payments-api')] }));

  it('bills the watchdog for 60 s plus one interval of handover, every minute of 730 hours, at 256 MB on arm64', () => {
    // 43,800 runs x (60 + 10) s x 0.25 GB = 766,500 GB-s x $0.0000133334
    expect(usd(basic.controller, 'Lambda watchdog')).toBeCloseTo(10.2200511, 6);
    // (24 x 730/24 + 2 flips) = 732 cold starts x 0.4 s x 0.25 GB = 73.2 GB-s
    expect(usd(basic.controller, 'Lambda INIT')).toBeCloseTo(0.000976005, 9);
    // 2 flips x 10 s x 0.25 GB = 5 GB-s
    expect(usd(basic.controller, 'Lambda flips')).toBeCloseTo(0.00006667, 8);
    // 43,800 + 2 invocations x $0.20 per million
    expect(usd(basic.controller, 'Lambda requests')).toBeCloseTo(0.0087604, 8);
  });

  it('counts the run marker: a claim per run and a reservation per round', () => {
    // 43,800 runs x (1 claim + 6 rounds of 10 s) x $0.625 per million
    expect(usd(basic.controller, 'DynamoDB run marker')).toBeCloseTo(0.191625, 8);
  });

  it('assumes the watchdog timeout serverless.yml deploys', () => {
    const deployed = settingsFromServerlessYml(readServerlessYml('serverless.yml'), 'prod').get('watchdog');

    expect(deployed?.timeoutSeconds).toBe(WATCHDOG_TIMEOUT_SECONDS);
  });

  it('counts one consistent read per service per run and writes only around flips', () => {
    // (43,800 + 2 flips x 4) reads x $0.125 per million
    expect(usd(basic.controller, 'DynamoDB reads')).toBeCloseTo(0.005476, 8);
    // 2 flips x 10 writes x 2 units x $0.625 per million
    expect(usd(basic.controller, 'DynamoDB writes')).toBeCloseTo(0.000025, 9);
  });

  it('prices 4 stage metrics and 3 per service, 7 alarms and the log ingestion', () => {
    expect(usd(basic.controller, 'CloudWatch metrics')).toBeCloseTo(7 * 0.3, 10);
    expect(usd(basic.controller, 'CloudWatch alarms')).toBeCloseTo(0.7, 10);
    // 43,800 runs x 1,700 bytes = 74,460,000 bytes = 0.0693458 GiB x $0.50
    expect(usd(basic.controller, 'CloudWatch Logs')).toBeCloseTo(0.0346729, 6);
    // The notifications topic's customer-managed KMS key: $1 a month.
    expect(usd(basic.controller, 'KMS key')).toBe(1);
    expect(basic.controllerUsd).toBeCloseTo(14.26166, 4);
  });

  it('prices one Route 53 health check per check of each target, with the options the probing needs', () => {
    // https + fast interval: $0.50 + 2 x $1.00 (AWS endpoint), $0.75 + 2 x $2.00 (other)
    expect(basic.healthChecks.map((c) => [c.target, c.options, c.awsUsd, c.otherUsd])).toEqual([
      ['primary', ['HTTPS', 'fast interval'], 2.5, 4.75],
      ['secondary', ['HTTPS', 'fast interval'], 2.5, 4.75],
    ]);
    expect(basic.healthChecksUsd).toEqual({ aws: 5, other: 9.5 });
  });

  it('adds latency metrics and latency graphs for detailed metrics, string match, and no fast interval at 30 s', () => {
    const detailed = estimateMonthlyCost(
      parse({
        services: [
          aService('ledger-api', {
            probeIntervalSeconds: 30,
            metrics: 'detailed',
            primary: {
              setIdentifier: 'blue',
              checks: [
                { http: { url: 'http://blue.internal/ready', bodyContains: 'ok' } },
                { cloudwatchAlarm: { alarmName: 'ledger-5xx' } },
              ],
            },
            secondary: { setIdentifier: 'green', checks: [{ tcp: { host: 'green.internal', port: 5432 } }] },
          }),
        ],
      }),
    );

    // 4 stage + 3 service + 3 latency series (one per check)
    expect(usd(detailed.controller, 'CloudWatch metrics')).toBeCloseTo(10 * 0.3, 10);
    expect(detailed.healthChecks.map((c) => [c.check, c.options, c.awsUsd, c.otherUsd])).toEqual([
      ['http GET http://blue.internal/ready', ['string match', 'latency graphs'], 2.5, 4.75],
      ['alarm ledger-5xx', [], 0.5, 0.5],
      ['tcp green.internal:5432', ['latency graphs'], 1.5, 2.75],
    ]);
  });

  it('prices one TargetHealthy series per target and one health check per check of every target', () => {
    const three = estimateMonthlyCost(
      parse({
        services: [
          aService('tri-api', {
            primary: undefined,
            secondary: undefined,
            targets: ['blue', 'green', 'dr'].map((id) => ({
              id,
              setIdentifier: id,
              checks: [{ http: { url: `https://${id}.example.com/health` } }],
            })),
          }),
        ],
      }),
    );

    // 4 stage + ActiveTarget + 3 TargetHealthy
    expect(usd(three.controller, 'CloudWatch metrics')).toBeCloseTo(8 * 0.3, 10);
    expect(three.healthChecks.map((c) => c.target)).toEqual(['blue', 'green', 'dr']);
    expect(three.healthChecksUsd).toEqual({ aws: 7.5, other: 14.25 });
  });

  it('says when the probing is faster than Route 53 health checks can go', () => {
    const fast = estimateMonthlyCost(
      parse({ services: [aService('fast-api', { probeIntervalSeconds: 5 })] }),
    );

    expect(fast.assumptions.join('\n')).toContain('Route 53 cannot probe faster than every 10 s; fast-api');
    expect(basic.assumptions.join('\n')).not.toContain('cannot probe faster');
  });

  it('assumes as many alarms as serverless.yml declares', () => {
    const template = readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8');

    expect(template.match(/Type: AWS::CloudWatch::Alarm/g)).toHaveLength(DEFAULT_ASSUMPTIONS.alarms);
  });
});

describe('estimateMonthlyCost with vantages', () => {
  const regions = ['us-east-1', 'us-east-2', 'us-west-2'];
  const config = parse({ services: [aService('payments-api')], vantages: { regions } });
  const estimate = estimateMonthlyCost(config);
  const one = estimateMonthlyCost(parse({ services: [aService('payments-api')] }));
  const vantageLines = estimate.controller.filter((line) => line.item.startsWith('Vantages: '));

  it('adds nothing without vantages', () => {
    expect(one.controller.filter((line) => line.item.startsWith('Vantages: '))).toEqual([]);
    expect(one.assumptions.join('\n')).not.toContain('MRSC');
  });

  it("keeps the one-region lines and adds each extra region's own stack as lines of its own", () => {
    expect(estimate.controller.slice(0, one.controller.length)).toEqual(one.controller);
    // 2 more regions x (43,800 runs x 70 s x 0.25 GB x $0.0000133334 + their run markers, 306,600 writes)
    expect(usd(estimate.controller, 'Vantages: Lambda watchdog')).toBeCloseTo(2 * (10.2200511 + 0.191625), 6);
    // 2 x (730 cold starts x 0.4 s x 0.25 GB x $0.0000133334 + 43,800 requests x $0.20 per million)
    expect(usd(estimate.controller, 'Vantages: Lambda INIT and requests')).toBeCloseTo(
      2 * (73 * 0.0000133334 + 0.00876),
      8,
    );
    expect(usd(estimate.controller, 'Vantages: flip functions')).toBe(0);
    expect(usd(estimate.controller, 'Vantages: CloudWatch metrics')).toBeCloseTo(2 * 7 * 0.3, 10);
    expect(usd(estimate.controller, 'Vantages: CloudWatch alarms')).toBeCloseTo(2 * 7 * 0.1, 10);
    expect(usd(estimate.controller, 'Vantages: CloudWatch Logs')).toBeCloseTo(2 * 0.0346729, 6);
    expect(usd(estimate.controller, 'Vantages: KMS keys')).toBe(2);
  });

  it('prices every vantage writing and reading a verdict each round, and the MRSC table billing each write in two more replicas', () => {
    // 43,800 runs x 6 rounds a minute (10 s probing) = 262,800 service rounds, x 3 vantages
    const verdicts = 3 * 262_800;
    expect(usd(estimate.controller, 'Vantages: verdict writes')).toBeCloseTo(verdicts * 0.625e-6, 10);
    expect(usd(estimate.controller, 'Vantages: verdict reads')).toBeCloseTo(verdicts * 0.125e-6, 10);
    // (788,400 verdict units + 40 flip units + 3 regions' run markers) x 2 other replicas
    expect(usd(estimate.controller, 'Vantages: replicated writes')).toBeCloseTo(
      (verdicts + 40 + 3 * 306_600) * 2 * 0.625e-6,
      10,
    );
    expect(estimate.controllerUsd - one.controllerUsd).toBeCloseTo(
      vantageLines.reduce((sum, line) => sum + line.usd, 0),
      10,
    );
  });

  it('names the regions, the home and what is left out in the assumptions', () => {
    const text = estimate.assumptions.join('\n');

    expect(text).toContain(
      'Vantages us-east-1, us-east-2, us-west-2: one stack per region, us-east-1 owning',
    );
    expect(text).toContain('MRSC global table of 3 replicas');
    expect(text).toContain('cross-region transfer');
  });
});
