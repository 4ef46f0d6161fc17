import { describe, expect, it } from 'vitest';
import { aService, parse, pathsAndMessages, problemsIn } from './sample-config.ts';

describe('rules across fields and services', () => {
  it('refuses two services with the same name', () => {
    const issues = problemsIn({
      services: [
        aService('payments-api'),
        aService('ledger-api'),
        aService('payments-api', { recordName: 'x.example.com' }),
      ],
    });

    expect(pathsAndMessages(issues)).toEqual([
      'services[2].name: "payments-api" is already the name of services[0]; service names must be unique',
    ]);
  });

  it('refuses two services on the same record, comparing names and zone ids as normalized', () => {
    const issues = problemsIn({
      services: [
        aService('payments-api', { recordName: 'api.example.com' }),
        aService('payments-api-copy', {
          recordName: 'API.example.com.',
          hostedZoneId: '/hostedzone/Z0123456789ABC',
        }),
      ],
    });

    expect(pathsAndMessages(issues)).toEqual([
      'services[1].recordName: services[0] already controls api.example.com. CNAME in zone Z0123456789ABC; two services must not flip the same records',
    ]);
  });

  it('allows the same record name with another record type', () => {
    const config = parse({
      services: [
        aService('web-v4', { recordName: 'www.example.com', recordType: 'A' }),
        aService('web-v6', { recordName: 'www.example.com', recordType: 'AAAA' }),
      ],
    });

    expect(config.services.map((service) => service.recordType)).toEqual(['A', 'AAAA']);
  });

  it('refuses a primary and a secondary with the same set identifier', () => {
    const issues = problemsIn({
      services: [
        aService('payments-api', {
          secondary: { setIdentifier: 'primary', checks: [{ tcp: { host: 'b.example.com', port: 443 } }] },
        }),
      ],
    });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].secondary.setIdentifier: "primary" is also primary.setIdentifier; each weighted record needs its own set identifier',
    ]);
  });

  it('refuses a notify name with no notifier group, listing the groups there are', () => {
    const issues = problemsIn({
      services: [aService('payments-api', { notify: ['oncall', 'oncal', 'security'] })],
      notifiers: {
        oncall: [{ sns: { topicArn: 'arn:aws:sns:us-east-1:123456789012:oncall' } }],
        platform: [{ sns: { topicArn: 'arn:aws:sns:us-east-1:123456789012:platform' } }],
      },
    });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].notify[1]: no notifier group "oncal" (did you mean "oncall"?); defined: oncall, platform',
      'services[0].notify[2]: no notifier group "security"; defined: oncall, platform',
    ]);
  });

  it('says so when a service notifies a group while no notifiers are defined', () => {
    const issues = problemsIn({ services: [aService('payments-api', { notify: ['oncall'] })] });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].notify[0]: no notifier group "oncall"; no groups are defined under notifiers',
    ]);
  });

  it('refuses a check timeout longer than the probe interval, naming both values', () => {
    const issues = problemsIn({
      defaults: { probeIntervalSeconds: 5 },
      services: [
        aService('payments-api', {
          primary: {
            setIdentifier: 'primary',
            checks: [{ tcp: { host: 'a.example.com', port: 443, timeoutMs: 6000 } }],
          },
        }),
      ],
    });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].primary.checks[0].tcp.timeoutMs: 6000 ms is longer than the probe interval of 5 s (defaults.probeIntervalSeconds); a probe round must end before the next begins: set timeoutMs to at most 5000 or raise probeIntervalSeconds',
    ]);
  });

  it('holds the default timeout of each check to the interval the service sets itself', () => {
    const issues = problemsIn({
      defaults: { probeIntervalSeconds: 30 },
      services: [aService('payments-api', { probeIntervalSeconds: 2 })],
    });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].primary.checks[0].http: the default timeoutMs of 3000 ms is longer than the probe interval of 2 s (services[0].probeIntervalSeconds); a probe round must end before the next begins: set timeoutMs to at most 2000 or raise probeIntervalSeconds',
      'services[0].secondary.checks[0].http: the default timeoutMs of 3000 ms is longer than the probe interval of 2 s (services[0].probeIntervalSeconds); a probe round must end before the next begins: set timeoutMs to at most 2000 or raise probeIntervalSeconds',
    ]);
  });
});
