import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigurationError } from '../../../shared/config/index.ts';
import { configErrorFrom, FILE, parse } from './sample-config.ts';

const BROKEN = `defaults:
  failureThreshold: 30
services:
  - name: payments-api
    hostedZoneId: Z0123456789ABC
    recordName: api.example.com
    recordType: CNAME
    primary:
      setIdentifier: primary
      checks:
        - http: { url: https://primary.example.com/health }
    secondary:
      setIdentifier: primary
      checks:
        - http: { url: ftp://standby.example.com/health }
    notify: [oncall]
  - name: payments-api
    hostedZoneId: Z0123456789ABC
    recordName: ledger.example.com
    recordType: A
    primary: { setIdentifier: blue, checks: [{ tcp: { host: 10.0.0.1, port: 0 } }] }
    secondary: { setIdentifier: green, checks: [{ tcp: { host: 10.0.0.2, port: 5432 } }] }
`;

describe('the error report', () => {
  it('lists every problem of the file at once, in file order, with field paths and lines', () => {
    // Act
    const error = configErrorFrom(() => parse(BROKEN));

    // Assess
    expect(error.message).toBe(
      [
        `Invalid configuration in ${FILE} (6 problems):`,
        '  - defaults.failureThreshold: must be a whole number from 1 to 10, got 30 (line 2)',
        '  - services[0].secondary.setIdentifier: "primary" is also primary.setIdentifier; each weighted record needs its own set identifier (line 13)',
        '  - services[0].secondary.checks[0].http.url: must be an http:// or https:// URL, got "ftp://standby.example.com/health" (line 15)',
        '  - services[0].notify[0]: no notifier group "oncall"; no groups are defined under notifiers (line 16)',
        '  - services[1].name: "payments-api" is already the name of services[0]; service names must be unique (line 17)',
        '  - services[1].primary.checks[0].tcp.port: must be a whole number from 1 to 65535, got 0 (line 21)',
      ].join('\n'),
    );
  });

  it('carries the file and each issue as data', () => {
    const error = configErrorFrom(() => parse(BROKEN));

    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.name).toBe('ConfigError');
    expect(error.file).toBe(FILE);
    expect(error.issues[0]).toEqual({
      path: 'defaults.failureThreshold',
      message: 'must be a whole number from 1 to 10, got 30',
      line: 2,
    });
  });

  it('says "1 problem" for a single problem', () => {
    const error = configErrorFrom(() => parse('services: []\n'));

    expect(error.message).toBe(
      `Invalid configuration in ${FILE} (1 problem):\n  - services: must list at least one service (line 1)`,
    );
  });

  it('explains a file that is not a mapping of settings', () => {
    const error = configErrorFrom(() => parse('- payments-api\n'));

    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues.map((issue) => issue.message)).toEqual([
      'the file must hold a mapping with services (and optionally defaults and notifiers), got a list',
    ]);
  });
});
