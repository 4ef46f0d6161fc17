import { describe, expect, it } from 'vitest';
import { aService, aServiceChecking, pathsAndMessages, problemsIn } from './sample-config.ts';

const CHECK = 'services[0].primary.checks[0]';

describe('field errors', () => {
  it('refuses a check URL that is not http or https, showing what was given', () => {
    const issues = problemsIn({ services: [aServiceChecking({ http: { url: 'ftp://x' } })] });

    expect(pathsAndMessages(issues)).toEqual([
      `${CHECK}.http.url: must be an http:// or https:// URL, got "ftp://x"`,
    ]);
  });

  it('shows the regular expression error of a bodyMatches that does not compile', () => {
    const issues = problemsIn({
      services: [aServiceChecking({ http: { url: 'https://a.example.com/', bodyMatches: 'ok(' } })],
    });

    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe(`${CHECK}.http.bodyMatches`);
    expect(issues[0]?.message).toMatch(/^is not a valid JavaScript regular expression: .*Unterminated group/);
  });

  it('refuses body checks on a HEAD request, one error per body field', () => {
    const issues = problemsIn({
      services: [
        aServiceChecking({
          http: {
            url: 'https://a.example.com/',
            method: 'HEAD',
            bodyContains: 'ok',
            jsonPath: 'status',
            equals: 'up',
          },
        }),
      ],
    });

    expect(issues.map((issue) => issue.path)).toEqual([
      `${CHECK}.http.bodyContains`,
      `${CHECK}.http.jsonPath`,
    ]);
    expect(issues[0]?.message).toBe(
      'needs a response body, and a HEAD response has none; use method: GET or remove it',
    );
  });

  it('refuses equals without the jsonPath it compares', () => {
    const issues = problemsIn({
      services: [aServiceChecking({ http: { url: 'https://a.example.com/', equals: 1 } })],
    });

    expect(pathsAndMessages(issues)).toEqual([
      `${CHECK}.http.equals: needs jsonPath: it is compared with the JSON field that jsonPath names`,
    ]);
  });

  it('refuses a maxLatencyMs that the timeout would cut off first', () => {
    const issues = problemsIn({
      services: [
        aServiceChecking({ http: { url: 'https://a.example.com/', maxLatencyMs: 2000, timeoutMs: 2000 } }),
      ],
    });

    expect(pathsAndMessages(issues)).toEqual([
      `${CHECK}.http.maxLatencyMs: must be less than timeoutMs (2000 ms), got 2000`,
    ]);
  });

  it('refuses a certificate check on a plain http URL', () => {
    const issues = problemsIn({
      services: [aServiceChecking({ http: { url: 'http://a.example.com/', certMinDaysValid: 14 } })],
    });

    expect(pathsAndMessages(issues)).toEqual([
      `${CHECK}.http.certMinDaysValid: only applies to https:// URLs, and url is "http://a.example.com/"`,
    ]);
  });

  it('points at each expected status that is not a code, class or range', () => {
    const issues = problemsIn({
      services: [
        aServiceChecking({
          http: { url: 'https://a.example.com/', expectStatus: [200, 600, '2xx', '299-200'] },
        }),
      ],
    });

    expect(pathsAndMessages(issues)).toEqual([
      `${CHECK}.http.expectStatus[1]: must be a status code (200), a class (2xx) or a range (200-299) between 100 and 599, got 600`,
      `${CHECK}.http.expectStatus[3]: is a range that ends before it starts (299 > 200)`,
    ]);
  });

  it('requires a check to have exactly one kind', () => {
    const issues = problemsIn({
      services: [
        aService('payments-api', {
          primary: {
            setIdentifier: 'primary',
            checks: [
              {},
              { http: { url: 'https://a.example.com/' }, tcp: { host: 'a.example.com', port: 443 } },
            ],
          },
        }),
      ],
    });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].primary.checks[0]: is empty; a check is a mapping with exactly one of http, tcp or cloudwatchAlarm',
      'services[0].primary.checks[1]: has http and tcp; a check is a mapping with exactly one of http, tcp or cloudwatchAlarm (write one check for each)',
    ]);
  });

  it('explains why a service name is refused', () => {
    const issues = problemsIn({ services: [aService('Payments API')] });

    expect(pathsAndMessages(issues)).toContain(
      'services[0].name: must be 1 to 64 lowercase letters, digits and "-", starting with a letter or digit (it keys the state table and metrics), got "Payments API"',
    );
  });

  it('refuses a malformed hosted zone id, record name and record type', () => {
    const issues = problemsIn({
      services: [
        aService('payments-api', { hostedZoneId: 'z0123', recordName: 'api..example.com', recordType: 'MX' }),
      ],
    });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].hostedZoneId: must be a Route 53 hosted zone ID: "Z" and uppercase letters or digits, such as Z0123456789ABCDEFGHIJ, got "z0123"',
      'services[0].recordName: has an empty label (two dots in a row, or a leading dot), got "api..example.com"',
      'services[0].recordType: must be A, AAAA or CNAME, got "MX"',
    ]);
  });

  it('gives the allowed range of a number and the value given', () => {
    const issues = problemsIn({
      defaults: { failureThreshold: 0, probeIntervalSeconds: 1.5 },
      services: [aService('payments-api', { activeWeight: 256 })],
    });

    expect(pathsAndMessages(issues)).toEqual([
      'defaults.failureThreshold: must be a whole number from 1 to 10, got 0',
      'defaults.probeIntervalSeconds: must be a whole number from 1 to 60, got 1.5',
      'services[0].activeWeight: must be a whole number from 1 to 255, got 256',
    ]);
  });

  it('suggests quoting a number that YAML read where text is expected', () => {
    const issues = problemsIn({
      services: [
        aService('payments-api', {
          secondary: { setIdentifier: 2, checks: [{ tcp: { host: 'b', port: 1 } }] },
        }),
      ],
    });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].secondary.setIdentifier: must be text, got 2 (quote it to make it text: "2")',
    ]);
  });

  it('refuses an SNS topic that is not an ARN', () => {
    const issues = problemsIn({
      services: [aService('payments-api')],
      notifiers: { oncall: [{ sns: { topicArn: 'failover-topic' } }] },
    });

    expect(pathsAndMessages(issues)).toEqual([
      'notifiers.oncall[0].sns.topicArn: must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:failover, got "failover-topic"',
    ]);
  });

  it('refuses a notifier group with an unusable name or no notifiers', () => {
    const issues = problemsIn({
      services: [aService('payments-api')],
      notifiers: {
        'on call': [{ sns: { topicArn: 'arn:aws:sns:us-east-1:123456789012:failover' } }],
        platform: [],
      },
    });

    expect(pathsAndMessages(issues)).toEqual([
      'notifiers["on call"]: is not a valid group name: use 1 to 64 letters, digits, "-" and "_", starting with a letter or digit',
      'notifiers.platform: must list at least one notifier (sns, slack, pagerduty or webhook)',
    ]);
  });

  it('says which required fields are missing', () => {
    const issues = problemsIn({ services: [{ name: 'payments-api' }] });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].hostedZoneId: is required',
      'services[0].recordName: is required',
      'services[0].recordType: is required (A, AAAA or CNAME)',
      'services[0].primary: is required: give primary and secondary (or a targets list in preference order)',
    ]);
  });
});

describe('unknown keys', () => {
  it('names an unknown key, suggests the likely one and lists the allowed keys', () => {
    const issues = problemsIn({ defaults: { failbak: 'auto' }, services: [aService('payments-api')] });

    expect(pathsAndMessages(issues)).toEqual([
      'defaults.failbak: unknown field "failbak" (did you mean "failback"?); allowed here: probeIntervalSeconds, failureThreshold, recoveryThreshold, minDwellSeconds, failback, maxAutoFailbacksPerHour, failbackSteps, stepHoldSeconds, stepAlarm, metrics, dataPlane, dataPlaneDeadlineSeconds',
    ]);
  });

  it('names an unknown check kind and lists the kinds there are', () => {
    const issues = problemsIn({ services: [aServiceChecking({ https: { url: 'https://a.example.com/' } })] });

    expect(pathsAndMessages(issues)).toEqual([
      `${CHECK}.https: unknown field "https" (did you mean "http"?); allowed here: http, tcp, cloudwatchAlarm`,
    ]);
  });

  it('reports every unknown key of an object separately', () => {
    const issues = problemsIn({ services: [aService('payments-api', { zone: 'Z1', owner: 'team-a' })] });

    expect(issues.map((issue) => issue.path)).toEqual(['services[0].zone', 'services[0].owner']);
  });
});
