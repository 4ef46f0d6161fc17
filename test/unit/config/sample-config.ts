/** Valid configuration documents to start a test from, and a way to read a ConfigError's issues. */
import { expect } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, type ConfigIssue, parseConfig } from '../../../shared/config/index.ts';
import type { ControllerConfig } from '../../../shared/domain/config.ts';

export const FILE = '/etc/failover/failover.config.yml';

type Document = Record<string, unknown>;

/** A valid service; `fields` replace or add top-level fields. */
export function aService(name: string, fields: Document = {}): Document {
  return {
    name,
    hostedZoneId: 'Z0123456789ABC',
    recordName: `${name}.example.com`,
    recordType: 'CNAME',
    primary: {
      setIdentifier: 'primary',
      checks: [{ http: { url: `https://${name}-primary.example.com/health` } }],
    },
    secondary: {
      setIdentifier: 'secondary',
      checks: [{ http: { url: `https://${name}-standby.example.com/health` } }],
    },
    ...fields,
  };
}

/** A valid service whose primary has exactly `check` (one `http:`/`tcp:`/`cloudwatchAlarm:` entry). */
export function aServiceChecking(check: Document, fields: Document = {}): Document {
  return aService('payments-api', {
    primary: { setIdentifier: 'primary', checks: [check] },
    ...fields,
  });
}

/** Parses a document (given as data, written out as YAML) or YAML text. */
export function parse(document: Document | string, env: NodeJS.ProcessEnv = {}): ControllerConfig {
  return parseConfig(typeof document === 'string' ? document : stringify(document), FILE, env);
}

/** The issues of the ConfigError that parsing throws; fails the test when parsing succeeds. */
export function problemsIn(document: Document | string, env: NodeJS.ProcessEnv = {}): ConfigIssue[] {
  return configErrorFrom(() => parse(document, env)).issues.map((issue) => ({ ...issue }));
}

/** The ConfigError that `act` throws; fails the test otherwise. */
export function configErrorFrom(act: () => unknown): ConfigError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    if (error instanceof ConfigError) return error;
  }
  throw new Error('expected a ConfigError, but the configuration was accepted');
}

/** `path: message` of each issue, without line numbers, for exact comparisons. */
export function pathsAndMessages(issues: readonly ConfigIssue[]): string[] {
  return issues.map((issue) => `${issue.path}: ${issue.message}`);
}
