// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:...} and ${ssm:...} here are configuration references, not templates.
/**
 * What a configuration error may show. Its message is printed by `failoverctl validate`, by
 * `serverless package` and in the functions' cold-start log: a notifier's value is never in it,
 * and a URL anywhere is shown without credentials, query or fragment.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { deploymentValues } from '../../../deploy/deployment.ts';
import { SECRET_NOT_SHOWN } from '../../../shared/config/wording.ts';
import {
  aService,
  aServiceChecking,
  configErrorFrom,
  parse,
  pathsAndMessages,
  problemsIn,
} from './sample-config.ts';

const SECRET = 'SECRETVALUE';
const CHECK = 'services[0].primary.checks[0]';

function withNotifiers(notifiers: Record<string, unknown>): Record<string, unknown> {
  return { services: [aService('payments-api', { notify: Object.keys(notifiers) })], notifiers };
}

describe('configuration errors about notifier values', () => {
  it('names the field and what is allowed, but not the value, of a malformed Slack webhook URL', () => {
    // Prepare
    const document = withNotifiers({
      oncall: [{ slack: { webhookUrl: `hooks.slack.com/services/T000/B000/${SECRET}` } }],
    });

    // Act
    const error = configErrorFrom(() => parse(document));

    // Assess
    expect(pathsAndMessages(error.issues)).toEqual([
      `notifiers.oncall[0].slack.webhookUrl: must be an http:// or https:// URL, got ${SECRET_NOT_SHOWN}`,
    ]);
    expect(error.message).not.toContain(SECRET);
  });

  it('does not show a malformed webhook URL that came from an environment variable', () => {
    const error = configErrorFrom(() =>
      parse(withNotifiers({ hooks: [{ webhook: { url: '${env:HOOK_URL}' } }] }), {
        HOOK_URL: `htps://hooks.example.com/${SECRET}`,
      }),
    );

    expect(error.issues.map((issue) => issue.path)).toEqual(['notifiers.hooks[0].webhook.url']);
    expect(error.message).not.toContain(SECRET);
  });

  it('does not show a secret written one level off, where a mapping belongs', () => {
    const error = configErrorFrom(() =>
      parse(withNotifiers({ oncall: [{ slack: `https://hooks.slack.com/services/T000/B000/${SECRET}` }] })),
    );

    expect(error.issues[0]?.path).toBe('notifiers.oncall[0].slack');
    expect(error.message).not.toContain(SECRET);
  });

  it('does not show a routing key that YAML read as a number', () => {
    const error = configErrorFrom(() =>
      parse(withNotifiers({ pager: [{ pagerduty: { routingKey: 31415926535 } }] })),
    );

    expect(pathsAndMessages(error.issues)).toEqual([
      `notifiers.pager[0].pagerduty.routingKey: must be text or an \${ssm:/path} reference, got ${SECRET_NOT_SHOWN}`,
    ]);
    expect(error.message).not.toContain('31415926535');
  });

  it('is what serverless package shows: the deployment values refuse the file without the secret', async () => {
    // Prepare: the file serverless.yml's deploy/deployment.ts reads, as FAILOVER_CONFIG names it
    const dir = await mkdtemp(join(tmpdir(), 'secret-values-'));
    const file = join(dir, 'failover.config.yml');
    const document = withNotifiers({
      hooks: [{ webhook: { url: `hooks.example.com/${SECRET}`, secret: SECRET } }],
    });
    await writeFile(file, stringify(document));

    try {
      // Act
      const error = configErrorFrom(() => deploymentValues({ env: { FAILOVER_CONFIG: file } }));

      // Assess
      expect(error.message).toContain('notifiers.hooks[0].webhook.url: must be an http:// or https:// URL');
      expect(error.message).not.toContain(SECRET);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('still shows a malformed SNS topic ARN, which is no secret', () => {
    const issues = problemsIn(
      withNotifiers({ topic: [{ sns: { topicArn: 'arn:aws:sns:us-east-1:42:x' } }] }),
    );

    expect(issues[0]?.message).toContain('got "arn:aws:sns:us-east-1:42:x"');
  });

  it('does not quote a line under notifiers in a YAML syntax error, but says where it is', () => {
    const text = [
      'services: []',
      'notifiers:',
      '  oncall:',
      `    - slack: { webhookUrl: "https://hooks.slack.com/services/T000/B000/${SECRET}" `,
      '',
    ].join('\n');

    const error = configErrorFrom(() => parse(text));

    expect(error.issues[0]?.line).toBeGreaterThanOrEqual(4);
    expect(error.message).not.toContain(SECRET);
  });
});

describe('configuration errors about URLs', () => {
  it('shows a refused check URL without credentials or query', () => {
    const issues = problemsIn({
      services: [
        aServiceChecking({ http: { url: `ftp://probe:${SECRET}@h.example.com/health?token=${SECRET}` } }),
      ],
    });

    expect(pathsAndMessages(issues)).toEqual([
      `${CHECK}.http.url: must be an http:// or https:// URL, got "ftp://h.example.com/health?<redacted>"`,
    ]);
  });

  it('shows a check URL without a scheme without its query', () => {
    const issues = problemsIn({
      services: [aServiceChecking({ http: { url: `primary.example.com/health?token=${SECRET}` } })],
    });

    expect(issues[0]?.message).toBe(
      'must be an http:// or https:// URL, got "primary.example.com/health?<redacted>"',
    );
  });

  it('shows the URL a rule across fields quotes without its query', () => {
    const issues = problemsIn({
      services: [
        aServiceChecking({
          http: { url: `http://h.example.com/health?token=${SECRET}`, certMinDaysValid: 7 },
        }),
      ],
    });

    expect(pathsAndMessages(issues)).toEqual([
      `${CHECK}.http.certMinDaysValid: only applies to https:// URLs, and url is "http://h.example.com/health?<redacted>"`,
    ]);
  });

  it('quotes a line with a check URL in a YAML syntax error without its query', () => {
    const text = `services:\n  - name: a\n    url: https://h.example.com/health?token=${SECRET} ]\n    x: [\n`;

    const error = configErrorFrom(() => parse(text));

    expect(error.message).not.toContain(SECRET);
  });
});
