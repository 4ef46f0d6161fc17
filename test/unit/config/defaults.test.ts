import { describe, expect, it } from 'vitest';
import { aService, aServiceChecking, parse, pathsAndMessages, problemsIn } from './sample-config.ts';

describe('policy defaults and overrides', () => {
  it('gives a service the built-in policy when nothing is set', () => {
    const config = parse({ services: [aService('payments-api')] });

    const service = config.services[0];
    expect(service?.policy).toEqual({
      probeIntervalSeconds: 10,
      failureThreshold: 3,
      recoveryThreshold: 6,
      minDwellSeconds: 600,
      failback: 'manual',
      maxAutoFailbacksPerHour: 2,
      failbackSteps: [100],
      stepHoldSeconds: 60,
      stepAlarm: null,
    });
    expect(service?.metrics).toBe('basic');
  });

  it('applies defaults to every service, and a service field overrides its default', () => {
    // Prepare
    const document = {
      defaults: { failureThreshold: 5, failback: 'auto', metrics: 'detailed', minDwellSeconds: 0 },
      services: [
        aService('payments-api'),
        aService('ledger-api', { failback: 'manual', recoveryThreshold: 12 }),
      ],
    };

    // Act
    const config = parse(document);

    // Assess
    const [payments, ledger] = config.services;
    expect(payments?.policy).toMatchObject({ failureThreshold: 5, failback: 'auto', recoveryThreshold: 6 });
    expect(ledger?.policy).toMatchObject({ failureThreshold: 5, failback: 'manual', recoveryThreshold: 12 });
    expect(payments?.policy.minDwellSeconds).toBe(0);
    expect([payments?.metrics, ledger?.metrics]).toEqual(['detailed', 'detailed']);
  });

  it('lets a service choose its own metrics level', () => {
    const config = parse({
      defaults: { metrics: 'detailed' },
      services: [aService('payments-api', { metrics: 'basic' })],
    });

    expect(config.services[0]?.metrics).toBe('basic');
  });

  it('fills in the defaults of a service and of an http check', () => {
    const config = parse({ services: [aService('payments-api')] });

    const service = config.services[0];
    expect(service?.activeWeight).toBe(100);
    expect(service?.notify).toEqual([]);
    expect(config.notifiers).toEqual({});
    expect(service?.targets[0]?.checks[0]).toEqual({
      kind: 'http',
      url: 'https://payments-api-primary.example.com/health',
      method: 'GET',
      headers: {},
      expectStatus: [{ min: 200, max: 299 }],
      timeoutMs: 3000,
      insecureSkipVerify: false,
    });
  });

  it('expects a 2xx answer by default, and a redirect only where a check lists it', () => {
    const config = parse({
      services: [
        aServiceChecking(
          { http: { url: 'https://a.example.com/health' } },
          {
            secondary: {
              setIdentifier: 'secondary',
              checks: [
                { http: { url: 'https://b.example.com/health', expectStatus: [301] } },
                { http: { url: 'https://c.example.com/health', expectStatus: ['2xx', '3xx'] } },
              ],
            },
          },
        ),
      ],
    });

    const [byDefault] = config.services[0]?.targets[0]?.checks ?? [];
    const [exact, classes] = config.services[0]?.targets[1]?.checks ?? [];
    expect(byDefault).toMatchObject({ expectStatus: [{ min: 200, max: 299 }] });
    expect(exact).toMatchObject({ expectStatus: [{ min: 301, max: 301 }] });
    expect(classes).toMatchObject({
      expectStatus: [
        { min: 200, max: 299 },
        { min: 300, max: 399 },
      ],
    });
  });

  it('refuses an empty expectStatus, saying what leaving it out means', () => {
    const issues = problemsIn({
      services: [aServiceChecking({ http: { url: 'https://a.example.com/', expectStatus: [] } })],
    });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].primary.checks[0].http.expectStatus: must list at least one status; leave it out to accept 2xx',
    ]);
  });

  it('treats a section left empty (everything under it commented out) as not set', () => {
    const text = [
      'defaults:',
      '  # failureThreshold: 5',
      'services:',
      '  - name: payments-api',
      '    hostedZoneId: Z0123456789ABC',
      '    recordName: api.example.com',
      '    recordType: CNAME',
      '    primary: { setIdentifier: primary, checks: [{ tcp: { host: 10.0.0.1, port: 443 } }] }',
      '    secondary: { setIdentifier: standby, checks: [{ tcp: { host: 10.0.1.1, port: 443 } }] }',
      '    notify:',
      'notifiers:',
    ].join('\n');

    const config = parse(text);

    expect(config.services[0]?.policy.failureThreshold).toBe(3);
    expect(config.services[0]?.notify).toEqual([]);
    expect(config.notifiers).toEqual({});
  });
});

describe('gradual failback policy (issue #13)', () => {
  it('reads failbackSteps, stepHoldSeconds and stepAlarm from defaults, a service overriding them', () => {
    const config = parse({
      defaults: { failbackSteps: [10, 50, 100], stepHoldSeconds: 120 },
      services: [
        aService('payments-api'),
        aService('ledger-api', { failbackSteps: [100], stepAlarm: 'ledger-5xx' }),
      ],
    });

    expect(
      config.services.map((s) => [s.policy.failbackSteps, s.policy.stepHoldSeconds, s.policy.stepAlarm]),
    ).toEqual([
      [[10, 50, 100], 120, null],
      [[100], 120, 'ledger-5xx'],
    ]);
  });

  it('refuses steps that do not rise to 100, naming the field and an example', () => {
    const issues = problemsIn({ services: [aService('payments-api', { failbackSteps: [50, 10] })] });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].failbackSteps: must rise step by step and end in 100 (percent of the active weight on the returning target), e.g. [10, 50, 100]; got [50, 10]',
    ]);
  });

  it('refuses a ramp for an activeWeight of 1, which cannot be split', () => {
    const issues = problemsIn({
      services: [aService('payments-api', { activeWeight: 1, failbackSteps: [10, 100] })],
    });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].activeWeight: is 1, which cannot be split between two records, but failbackSteps is [10, 100]; raise activeWeight (e.g. 100) or set failbackSteps: [100]',
    ]);
  });
});
