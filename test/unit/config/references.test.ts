// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:...} and ${ssm:...} here are configuration references, not templates.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { resolveReferences } from '../../../shared/config/references.ts';
import { aService, aServiceChecking, parse, pathsAndMessages, problemsIn } from './sample-config.ts';

function withNotifiers(notifiers: Record<string, unknown>) {
  return { services: [aService('payments-api', { notify: Object.keys(notifiers) })], notifiers };
}

describe('${env:NAME} references', () => {
  it('resolves a reference inside a longer value', () => {
    const config = parse(
      { services: [aServiceChecking({ http: { url: 'https://${env:API_HOST}:8443/health' } })] },
      { API_HOST: 'primary.example.com' },
    );

    const check = config.services[0]?.targets[0]?.checks[0];
    expect(check?.kind === 'http' && check.url).toBe('https://primary.example.com:8443/health');
  });

  it('validates the resolved value, not the reference', () => {
    const issues = problemsIn(
      { services: [aServiceChecking({ http: { url: '${env:HEALTH_URL}' } })] },
      { HEALTH_URL: 'primary.example.com/health' },
    );

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].primary.checks[0].http.url: must be an http:// or https:// URL, got "primary.example.com/health"',
    ]);
  });

  it('names the field and the variable when the variable is not set, or set but empty', () => {
    const issues = problemsIn(
      {
        services: [
          aServiceChecking({
            http: { url: 'https://a.example.com/', headers: { 'X-Token': '${env:TOKEN}' } },
          }),
        ],
        notifiers: { oncall: [{ pagerduty: { routingKey: '${env:PAGERDUTY_KEY}' } }] },
      },
      { PAGERDUTY_KEY: '' },
    );

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].primary.checks[0].http.headers.X-Token: environment variable TOKEN is not set',
      'notifiers.oncall[0].pagerduty.routingKey: environment variable PAGERDUTY_KEY is set but empty',
    ]);
  });

  it('refuses a reference of an unknown kind', () => {
    const issues = problemsIn({ services: [aService('payments-api', { recordName: '${vault:api-name}' })] });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].recordName: unknown reference ${vault:api-name}; use ${env:NAME} or ${ssm:/path}',
    ]);
  });
});

describe('resolveReferences', () => {
  it('reports each ${env:NAME} written in a value, set or not, with its field', () => {
    const document = parseYaml(
      [
        '# ${env:IN_A_COMMENT} is not a reference',
        'services:',
        '  - url: https://${env:API_HOST}/health # nor ${env:IN_A_TRAILING_COMMENT}',
        '    headers: { X-Token: "${env:TOKEN}" }',
      ].join('\n'),
    );

    const { envReferences } = resolveReferences(document, { API_HOST: 'a.example.com' });

    expect(envReferences).toEqual([
      { name: 'API_HOST', path: ['services', 0, 'url'] },
      { name: 'TOKEN', path: ['services', 0, 'headers', 'X-Token'] },
    ]);
  });
});

describe('${ssm:/path} references', () => {
  it('keeps an SSM reference in a notifier secret for the Lambda to fetch', () => {
    const config = parse(
      withNotifiers({
        oncall: [
          { slack: { webhookUrl: '${ssm:/failover/slack-webhook}' } },
          { pagerduty: { routingKey: '${ssm:/failover/pagerduty}' } },
          { webhook: { url: '${ssm:/failover/hook-url}', secret: '${ssm:/failover/hook-secret}' } },
        ],
      }),
    );

    expect(config.notifiers.oncall).toEqual([
      { kind: 'slack', webhookUrl: { kind: 'ssm', path: '/failover/slack-webhook' } },
      { kind: 'pagerduty', routingKey: { kind: 'ssm', path: '/failover/pagerduty' } },
      {
        kind: 'webhook',
        url: { kind: 'ssm', path: '/failover/hook-url' },
        secret: { kind: 'ssm', path: '/failover/hook-secret' },
      },
    ]);
  });

  it('keeps an SSM reference in an http header value for the prober to fetch', () => {
    const config = parse({
      services: [
        aServiceChecking({
          http: {
            url: 'https://a.example.com/health',
            headers: { 'X-Health-Token': '${ssm:/failover/health-token}', Accept: 'text/plain' },
          },
        }),
      ],
    });

    const check = config.services[0]?.targets[0]?.checks[0];
    expect(check?.kind === 'http' && check.headers).toEqual({
      'X-Health-Token': { kind: 'ssm', path: '/failover/health-token' },
      Accept: 'text/plain',
    });
  });

  it('refuses an SSM reference in a header name, or as part of a header value', () => {
    const issues = problemsIn({
      services: [
        aServiceChecking({
          http: {
            url: 'https://${ssm:/failover/host}/health',
            headers: { Authorization: 'Bearer ${ssm:/failover/token}' },
          },
        }),
      ],
    });

    expect(pathsAndMessages(issues)).toEqual([
      expect.stringMatching(
        /^services\[0\]\.primary\.checks\[0\]\.http\.url: \$\{ssm:\/failover\/host\}: SSM references are only allowed in secrets/,
      ),
      'services[0].primary.checks[0].http.headers.Authorization: ${ssm:/failover/token} must be the whole value, not part of a longer text',
    ]);
  });

  it('refuses an SSM reference outside notifier secrets, saying where they are allowed', () => {
    const issues = problemsIn({
      services: [aService('payments-api', { hostedZoneId: '${ssm:/failover/zone}' })],
      notifiers: { oncall: [{ sns: { topicArn: '${ssm:/failover/topic}' } }] },
    });

    const allowed =
      'SSM references are only allowed in secrets (slack.webhookUrl, pagerduty.routingKey, webhook.url, webhook.secret, http.headers.<name>); write the value here or use ${env:NAME}';
    expect(pathsAndMessages(issues)).toEqual([
      `services[0].hostedZoneId: \${ssm:/failover/zone}: ${allowed}`,
      `notifiers.oncall[0].sns.topicArn: \${ssm:/failover/topic}: ${allowed}`,
    ]);
  });

  it('refuses an SSM reference that is only part of a value or is not a parameter name', () => {
    const issues = problemsIn(
      withNotifiers({
        oncall: [
          { webhook: { url: 'https://hooks.example.com/${ssm:/failover/token}' } },
          { slack: { webhookUrl: '${ssm:failover slack}' } },
        ],
      }),
    );

    expect(pathsAndMessages(issues)).toEqual([
      'notifiers.oncall[0].webhook.url: ${ssm:/failover/token} must be the whole value, not part of a longer text',
      'notifiers.oncall[1].slack.webhookUrl: ${ssm:failover slack} is not a valid SSM parameter name: it starts with "/" and uses letters, digits, "_", "." and "-"',
    ]);
  });

  it('validates a notifier URL only when it is written out', () => {
    const issues = problemsIn(
      withNotifiers({
        oncall: [
          { slack: { webhookUrl: '${ssm:/failover/slack}' } },
          { slack: { webhookUrl: '${env:SLACK_URL}' } },
        ],
      }),
      { SLACK_URL: 'hooks.slack.com/services/T/B/X' },
    );

    expect(pathsAndMessages(issues)).toEqual([
      'notifiers.oncall[1].slack.webhookUrl: must be an http:// or https:// URL, got a value that is not shown (it may be a secret)',
    ]);
  });
});
