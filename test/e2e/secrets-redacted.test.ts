/**
 * End to end, issue #18 item 5: a token in a check URL's query and a notifier URL that is both
 * malformed and secret reach nobody. The real watchdog and flip handlers run on the local stack
 * (dynalite, the Route 53 and Lambda stand-ins, real HTTP backends and receivers); the secret must
 * appear in none of: `failoverctl validate`, `status`, `history`, the stored items, the
 * notifications received, the functions' logs (cold start included) and their answers.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { watchdogHandler } from '../../functions/watchdog.ts';
import { stateStoreFromEnv } from '../../shared/aws/state-store.ts';
import { runCli } from '../integration/cli/run-cli.ts';
import { type Receiver, startReceiver } from '../support/receivers.ts';
import { contextFor, type Harness, startHarness } from './harness.ts';

const SECRET = 'SECRETVALUE';
const SERVICE = 'tokens';

describe('secrets in check URLs and notifier URLs', () => {
  let h: Harness;
  let slack: Receiver;
  let goodConfig: string;
  let badConfig: string;
  let logs: string[];
  const watchdog = watchdogHandler() as unknown as (event: unknown, context: unknown) => Promise<unknown>;

  const run = async (rounds: number) => {
    await watchdog({ time: new Date().toISOString() }, contextFor(rounds));
    await h.stack.lambda.idle();
  };

  beforeAll(async () => {
    slack = await startReceiver({ status: 200, body: 'ok' });
    h = await startHarness([{ name: SERVICE, failback: 'manual', notify: [`hook-${SERVICE}`, 'people'] }], {
      notifiersYaml: [
        '  people:',
        `    - slack: { webhookUrl: "${slack.url}/services/T000/B000/slack-token" }`,
      ],
    });
    // The primary's check carries its token in the query, as many health endpoints want it.
    const primary = h.backends.get(SERVICE)?.primary.url ?? '';
    const written = await readFile(h.configFile, 'utf8');
    goodConfig = h.configFile;
    // Detailed metrics: the check label is an EMF dimension, logged to stdout.
    const rewritten = written
      .replace(`${primary}/health"`, `${primary}/health?token=${SECRET}"`)
      .replace('    recordType: CNAME\n', '    recordType: CNAME\n    metrics: detailed\n');
    await writeFile(goodConfig, rewritten);
    // The same, plus a Slack webhook URL that is malformed (no scheme) and carries a token.
    badConfig = join(dirname(goodConfig), 'malformed-notifier.yml');
    await writeFile(
      badConfig,
      `${await readFile(goodConfig, 'utf8')}  broken:\n    - slack: { webhookUrl: "hooks.slack.com/services/T000/B000/${SECRET}" }\n`,
    );
    expect(rewritten).toContain(`?token=${SECRET}`);
    expect(rewritten).toContain('metrics: detailed');

    // Every line the handlers log (JSON logs and EMF metrics) goes to stdout: keep them.
    logs = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        logs.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      });
    }
  }, 60_000);

  afterAll(async () => {
    vi.restoreAllMocks();
    await h?.close();
    await slack?.close();
  });

  it('validate names the malformed secret field and what is allowed, never its value', async () => {
    // Act
    const run = await runCli(['validate', '--config', badConfig]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.err).toContain(
      'notifiers.broken[0].slack.webhookUrl: must be an http:// or https:// URL, got a value that is not shown',
    );
    expect(`${run.out}${run.err}`).not.toContain(SECRET);
  });

  it('a cold start on that file logs the configuration error without the secret', async () => {
    // Prepare
    process.env.FAILOVER_CONFIG = badConfig;
    const before = logs.length;

    // Act
    const failed = await watchdog({ time: new Date().toISOString() }, contextFor(1)).then(
      () => null,
      (error: unknown) => error,
    );
    process.env.FAILOVER_CONFIG = goodConfig;

    // Assess
    expect(failed).toMatchObject({ name: 'ConfigError' });
    const logged = logs.slice(before).join('');
    expect(logged).toContain('notifiers.broken[0].slack.webhookUrl');
    expect(logged).not.toContain(SECRET);
  });

  it('validate summarizes the check with its query redacted', async () => {
    const run = await runCli(['validate', '--config', goodConfig]);

    expect(run.code).toBe(0);
    expect(run.out).toMatch(/primary {3}'primary': http GET http:\/\/127\.0\.0\.1:\d+\/health\?<redacted>/);
    expect(run.out).not.toContain(SECRET);
  });

  it('a failover leaves the token in no state, audit event, notification, log, answer or CLI output', async () => {
    // Prepare: the primary fails; the watchdog fails over to the standby.
    h.backends.get(SERVICE)?.primary.setMode({ kind: 'failing' });

    // Act
    await run(4);
    const cli = await Promise.all(
      [['status'], ['status', '--json'], ['history', SERVICE], ['history', SERVICE, '--json']].map((argv) =>
        runCli(argv),
      ),
    );
    const dynamo = new DynamoDBClient({});
    const items = await dynamo.send(new ScanCommand({ TableName: process.env.STATE_TABLE }));
    dynamo.destroy();

    // Assess: it happened, and the evidence (the redacted label) went everywhere the token could.
    const state = await stateStoreFromEnv().load(SERVICE);
    expect(state?.value).toMatchObject({ active: 'secondary', moving: null });
    expect(state?.value.targets.primary?.last[0]?.check).toMatch(/\/health\?<redacted>$/);
    const stored = JSON.stringify(items.Items);
    expect(stored).toContain('?<redacted>');
    const notifications = [...h.webhook.requests, ...slack.requests].map((r) => `${r.path} ${r.body}`);
    expect(notifications.length).toBeGreaterThanOrEqual(2);
    expect(notifications.join('\n')).toContain('?<redacted>');
    const answers = JSON.stringify(h.stack.lambda.invocations.map((i) => i.result));
    const output = cli.map((r) => `${r.out}${r.err}`).join('\n');
    expect(output).toContain('?<redacted>');
    expect(logs.join('')).toContain('?<redacted>');

    for (const [where, text] of Object.entries({
      stored,
      notifications: notifications.join('\n'),
      answers,
      output,
      logs: logs.join(''),
    })) {
      expect(text, where).not.toContain(SECRET);
    }
  });
});
