// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} are Serverless Framework variables in YAML fixtures.
/**
 * The stand-in's function settings come from the deployment: serverless.yml compiled with osls's
 * rules, or the packaged template when it is current. (function-settings-package.test.ts proves
 * the two agree on the real project.)
 */
import { copyFile, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FunctionSettingsError,
  loadDeployedSettings,
  readServerlessYml,
  settingsFromServerlessYml,
  settingsFromTemplate,
  TEMPLATE_PATH,
} from '../../../local/lambda/settings.ts';

const YML = `service: shop
provider:
  name: aws
  timeout: 20
functions:
  api:
    handler: api.handler
  worker-job:
    handler: worker.handler
    timeout: 90
    reservedConcurrency: 0
    maximumRetryAttempts: 0
    maximumEventAge: 0
  notify:
    handler: notify.handler
    name: custom-notify
    maximumEventAge: 300
    destinations:
      onFailure:
        type: sns
        arn: !Ref AlertsTopic
  mailer:
    handler: mailer.handler
    destinations:
      onFailure: arn:aws:sqs:us-east-1:123456789012:dead
resources:
  Resources:
    AlertsTopic:
      Type: AWS::SNS::Topic
      Properties:
        TopicName: !Sub '\${AWS::StackName}-alerts'
`;

describe('function settings', () => {
  let dir: string;
  const write = async (text: string) => {
    await writeFile(join(dir, 'serverless.yml'), text);
    return readServerlessYml(join(dir, 'serverless.yml'));
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fn-settings-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('settingsFromServerlessYml', () => {
    it('compiles each function as osls does: timeouts, reserved concurrency, retries, event age, destination', async () => {
      const settings = settingsFromServerlessYml(await write(YML), 'prod');

      expect(Object.fromEntries(settings)).toEqual({
        api: {
          key: 'api',
          functionName: 'shop-prod-api',
          timeoutSeconds: 20, // provider.timeout
          reservedConcurrency: null,
          maximumRetryAttempts: 2, // no EventInvokeConfig: Lambda's defaults
          maximumEventAgeSeconds: 21_600,
          onFailure: null,
        },
        'worker-job': {
          key: 'worker-job',
          functionName: 'shop-prod-worker-job',
          timeoutSeconds: 90,
          reservedConcurrency: 0, // 0 is kept: the function is switched off
          maximumRetryAttempts: 0,
          maximumEventAgeSeconds: 21_600, // osls omits a falsy maximumEventAge
          onFailure: null,
        },
        notify: {
          key: 'notify',
          functionName: 'custom-notify',
          timeoutSeconds: 20,
          reservedConcurrency: null,
          maximumRetryAttempts: 2,
          maximumEventAgeSeconds: 300,
          onFailure: 'Ref:AlertsTopic',
        },
        mailer: {
          key: 'mailer',
          functionName: 'shop-prod-mailer',
          timeoutSeconds: 20,
          reservedConcurrency: null,
          maximumRetryAttempts: 2,
          maximumEventAgeSeconds: 21_600,
          onFailure: 'arn:aws:sqs:us-east-1:123456789012:dead',
        },
      });
    });

    it('falls back to osls’s 6 s timeout when neither the function nor the provider sets one', async () => {
      const settings = settingsFromServerlessYml(
        await write('service: s\nfunctions:\n  f:\n    handler: f.h\n'),
        'dev',
      );

      expect(settings.get('f')?.timeoutSeconds).toBe(6);
    });

    it('names the file and field of a setting that only packaging can resolve', async () => {
      const yml = await write(
        'service: s\nfunctions:\n  f:\n    handler: f.h\n    timeout: ${self:custom.t}\n',
      );

      expect(() => settingsFromServerlessYml(yml, 'dev')).toThrow(FunctionSettingsError);
      expect(() => settingsFromServerlessYml(yml, 'dev')).toThrow(
        /serverless\.yml: functions\.f\.timeout: expected a whole number >= 0, got "\$\{self:custom\.t\}" \(variables are resolved only by packaging/,
      );
    });

    it('refuses a destination given as a function name, which only packaging resolves', async () => {
      const yml = await write(
        'service: s\nfunctions:\n  f:\n    handler: f.h\n    destinations:\n      onFailure: other\n',
      );

      expect(() => settingsFromServerlessYml(yml, 'dev')).toThrow(
        /functions\.f\.destinations\.onFailure: the stand-in reads an ARN/,
      );
    });

    it('reads the project’s own serverless.yml, every function named for the stage', async () => {
      await copyFile(join(import.meta.dirname, '../../../serverless.yml'), join(dir, 'serverless.yml'));

      const settings = loadDeployedSettings({ root: dir, stage: 'local' });

      expect(settings.source).toBe('serverless.yml');
      expect(settings.functions.size).toBeGreaterThan(0);
      expect([...settings.functions.values()].map((f) => f.functionName)).toEqual(
        [...settings.functions.keys()].map((key) => `failover-controller-local-${key}`),
      );
    });
  });

  describe('settingsFromTemplate', () => {
    it('reads Timeout, ReservedConcurrentExecutions and the EventInvokeConfig by osls’s logical ids', async () => {
      const yml = await write('service: s\nfunctions:\n  worker-job:\n    handler: w.h\n');
      const template = {
        Resources: {
          WorkerDashjobLambdaFunction: {
            Type: 'AWS::Lambda::Function',
            Properties: { FunctionName: 's-dev-worker-job', Timeout: 30, ReservedConcurrentExecutions: 1 },
          },
          WorkerDashjobLambdaEvConf: {
            Type: 'AWS::Lambda::EventInvokeConfig',
            Properties: {
              MaximumRetryAttempts: 1,
              MaximumEventAgeInSeconds: 120,
              DestinationConfig: { OnFailure: { Destination: { Ref: 'Topic' } } },
            },
          },
        },
      };

      expect(settingsFromTemplate(template, yml).get('worker-job')).toEqual({
        key: 'worker-job',
        functionName: 's-dev-worker-job',
        timeoutSeconds: 30,
        reservedConcurrency: 1,
        maximumRetryAttempts: 1,
        maximumEventAgeSeconds: 120,
        onFailure: 'Ref:Topic',
      });
    });

    it('names the missing resource when the template lacks a function', async () => {
      const yml = await write('service: s\nfunctions:\n  api:\n    handler: a.h\n');

      expect(() => settingsFromTemplate({ Resources: {} }, yml)).toThrow(
        /Resources\.ApiLambdaFunction: missing \(function 'api'\)/,
      );
    });
  });

  describe('loadDeployedSettings', () => {
    const template = {
      Resources: {
        FLambdaFunction: {
          Type: 'AWS::Lambda::Function',
          Properties: { FunctionName: 's-pkg-f', Timeout: 44 },
        },
      },
    };

    it('uses the packaged template when it is at least as new as serverless.yml', async () => {
      await write('service: s\nfunctions:\n  f:\n    handler: f.h\n    timeout: 10\n');
      await mkdir(join(dir, '.serverless'));
      await writeFile(join(dir, TEMPLATE_PATH), JSON.stringify(template));

      const settings = loadDeployedSettings({ root: dir });

      expect(settings.source).toBe('template');
      expect(settings.functions.get('f')?.timeoutSeconds).toBe(44);
    });

    it('ignores a template packaged before serverless.yml last changed', async () => {
      await write('service: s\nfunctions:\n  f:\n    handler: f.h\n    timeout: 10\n');
      await mkdir(join(dir, '.serverless'));
      await writeFile(join(dir, TEMPLATE_PATH), JSON.stringify(template));
      const old = new Date(Date.now() - 60_000);
      await utimes(join(dir, TEMPLATE_PATH), old, old);

      const settings = loadDeployedSettings({ root: dir, stage: 'local' });

      expect(settings.source).toBe('serverless.yml');
      expect(settings.functions.get('f')).toMatchObject({ functionName: 's-local-f', timeoutSeconds: 10 });
    });
  });
});
