/**
 * The Lambda settings the local stand-in runs each function with, taken from the deployment
 * itself, never copied by hand: reserved concurrency, timeout, async retries, event age and the
 * on-failure destination.
 *
 * Two sources, one answer (test/integration/local/function-settings-package.test.ts packages the
 * project and proves they agree):
 * - the packaged CloudFormation template (`.serverless/cloudformation-template-update-stack.json`,
 *   written by `npx serverless package`) when it exists and is not older than serverless.yml;
 * - otherwise serverless.yml, compiled with the rules osls applies (lib/plugins/aws/package/compile/
 *   functions.js): `timeout || provider.timeout || 6`, `reservedConcurrency` when set (0 included),
 *   an `EventInvokeConfig` only when `maximumRetryAttempts`, `maximumEventAge` or `destinations` is
 *   set, `maximumEventAge` only when truthy, the destination's `arn` as written, and the function
 *   name `${service}-${stage}-${key}` unless `name` is set.
 * Packaging takes 20-60 s, too slow for every test and demo start; reading serverless.yml takes ms.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, type Tags } from 'yaml';

/** Lambda's defaults for an async invocation without an EventInvokeConfig. */
export const LAMBDA_DEFAULT_RETRY_ATTEMPTS = 2;
export const LAMBDA_DEFAULT_EVENT_AGE_SECONDS = 21_600;

/** A function's Lambda settings, as deployed. */
export interface FunctionSettings {
  /** The function's key under `functions:` in serverless.yml (`failover`). */
  readonly key: string;
  /** `FunctionName` as deployed (depends on the stage). */
  readonly functionName: string;
  readonly timeoutSeconds: number;
  /** `ReservedConcurrentExecutions`; null when the function uses the unreserved account pool. */
  readonly reservedConcurrency: number | null;
  /** `MaximumRetryAttempts` of its EventInvokeConfig (Lambda's default 2 without one). */
  readonly maximumRetryAttempts: number;
  /** `MaximumEventAgeInSeconds` (Lambda's default 6 h without one). */
  readonly maximumEventAgeSeconds: number;
  /**
   * `DestinationConfig.OnFailure.Destination`: an ARN as written, or `Ref:<LogicalId>` for a
   * resource of the stack (`Ref:NotificationsTopic`); null without one.
   */
  readonly onFailure: string | null;
}

export interface DeployedSettings {
  /** Which file the settings came from. */
  readonly source: 'template' | 'serverless.yml';
  readonly file: string;
  readonly functions: ReadonlyMap<string, FunctionSettings>;
}

/** serverless.yml or the template does not say what the stand-in needs, or says it wrongly. */
export class FunctionSettingsError extends Error {
  override name = 'FunctionSettingsError';
  readonly file: string;
  readonly field: string;
  constructor(file: string, field: string, problem: string, options?: ErrorOptions) {
    super(`${file}: ${field}: ${problem}`, options);
    this.file = file;
    this.field = field;
  }
}

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TEMPLATE_PATH = join('.serverless', 'cloudformation-template-update-stack.json');

/**
 * The deployed settings of every function: from the packaged template when it is there and
 * current, else compiled from serverless.yml for `stage`.
 * @example
 * const { functions } = loadDeployedSettings({ stage: 'local' });
 * functions.get('failover')?.reservedConcurrency; // 1
 */
export function loadDeployedSettings(
  options: { readonly root?: string; readonly stage?: string } = {},
): DeployedSettings {
  const root = options.root ?? PROJECT_ROOT;
  const yml = join(root, 'serverless.yml');
  const template = join(root, TEMPLATE_PATH);
  const source = readServerlessYml(yml);
  // A template packaged before serverless.yml last changed would carry old settings: ignore it.
  if (isFileNewerOrSame(template, yml)) {
    return {
      source: 'template',
      file: template,
      functions: settingsFromTemplate(readJson(template), source, relative(root, template)),
    };
  }
  return {
    source: 'serverless.yml',
    file: yml,
    functions: settingsFromServerlessYml(source, options.stage ?? 'local', relative(root, yml)),
  };
}

/** serverless.yml parsed, with the CloudFormation short tags (`!Ref X`) as their long forms. */
export interface ServerlessYml {
  readonly file: string;
  readonly document: Record<string, unknown>;
}

/**
 * Read serverless.yml; a missing file or bad YAML is a `FunctionSettingsError` naming the file.
 * @example
 * readServerlessYml('serverless.yml').document.service; // 'failover-controller'
 */
export function readServerlessYml(file: string): ServerlessYml {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FunctionSettingsError(file, '(file)', 'cannot be read', { cause: error });
  }
  let document: unknown;
  try {
    document = parse(text, { customTags: CLOUDFORMATION_TAGS });
  } catch (error) {
    throw new FunctionSettingsError(file, '(file)', 'is not valid YAML', { cause: error });
  }
  if (!isRecord(document)) throw new FunctionSettingsError(file, '(file)', 'must be a YAML mapping');
  return { file, document };
}

/**
 * Compile the functions' settings from serverless.yml as osls would for `stage`.
 * @example
 * settingsFromServerlessYml(readServerlessYml('serverless.yml'), 'prod').get('control')?.timeoutSeconds; // 30
 */
export function settingsFromServerlessYml(
  yml: ServerlessYml,
  stage: string,
  label = yml.file,
): Map<string, FunctionSettings> {
  const doc = yml.document;
  const service = serviceName(doc, label);
  const provider = isRecord(doc.provider) ? doc.provider : {};
  const providerTimeout = optionalNumber(provider.timeout, label, 'provider.timeout');
  const settings = new Map<string, FunctionSettings>();
  for (const [key, fn] of Object.entries(functionsOf(doc, label))) {
    const at = `functions.${key}`;
    const timeout = optionalNumber(fn.timeout, label, `${at}.timeout`);
    const reserved = optionalNumber(fn.reservedConcurrency, label, `${at}.reservedConcurrency`);
    const retries = optionalNumber(fn.maximumRetryAttempts, label, `${at}.maximumRetryAttempts`);
    const age = optionalNumber(fn.maximumEventAge, label, `${at}.maximumEventAge`);
    const destinations = isRecord(fn.destinations) ? fn.destinations : undefined;
    const name = fn.name === undefined ? `${service}-${stage}-${key}` : literal(fn.name, label, `${at}.name`);
    settings.set(key, {
      key,
      functionName: name,
      // osls: `if (!functionObject.timeout) functionObject.timeout = provider.timeout || 6`
      timeoutSeconds: timeout || providerTimeout || 6,
      reservedConcurrency: reserved ?? null,
      maximumRetryAttempts: retries ?? LAMBDA_DEFAULT_RETRY_ATTEMPTS,
      // osls writes MaximumEventAgeInSeconds only when truthy
      maximumEventAgeSeconds: age || LAMBDA_DEFAULT_EVENT_AGE_SECONDS,
      onFailure:
        destinations?.onFailure === undefined
          ? null
          : destinationOf(destinations.onFailure, label, `${at}.destinations.onFailure`),
    });
  }
  return settings;
}

/**
 * Read the functions' settings from a packaged CloudFormation template; `yml` names the functions
 * (their logical ids follow osls's naming: `failover` -> `FailoverLambdaFunction`).
 * @example
 * settingsFromTemplate(JSON.parse(text), readServerlessYml('serverless.yml')).get('failover')?.timeoutSeconds;
 */
export function settingsFromTemplate(
  template: unknown,
  yml: ServerlessYml,
  label = TEMPLATE_PATH,
): Map<string, FunctionSettings> {
  const resources = isRecord(template) && isRecord(template.Resources) ? template.Resources : undefined;
  if (!resources)
    throw new FunctionSettingsError(label, 'Resources', 'missing: is this a CloudFormation template?');
  const settings = new Map<string, FunctionSettings>();
  for (const key of Object.keys(functionsOf(yml.document, yml.file))) {
    const id = `${normalizedFunctionName(key)}LambdaFunction`;
    const fn = resources[id];
    const props = isRecord(fn) && isRecord(fn.Properties) ? fn.Properties : undefined;
    if (!props) throw new FunctionSettingsError(label, `Resources.${id}`, `missing (function '${key}')`);
    const configId = `${normalizedFunctionName(key)}LambdaEvConf`;
    const config = resources[configId];
    const conf = isRecord(config) && isRecord(config.Properties) ? config.Properties : {};
    const at = `Resources.${configId}.Properties`;
    const onFailure = isRecord(conf.DestinationConfig) ? conf.DestinationConfig.OnFailure : undefined;
    settings.set(key, {
      key,
      functionName: literal(props.FunctionName, label, `Resources.${id}.Properties.FunctionName`),
      timeoutSeconds: requiredNumber(props.Timeout, label, `Resources.${id}.Properties.Timeout`),
      reservedConcurrency:
        optionalNumber(
          props.ReservedConcurrentExecutions,
          label,
          `Resources.${id}.Properties.ReservedConcurrentExecutions`,
        ) ?? null,
      maximumRetryAttempts:
        optionalNumber(conf.MaximumRetryAttempts, label, `${at}.MaximumRetryAttempts`) ??
        LAMBDA_DEFAULT_RETRY_ATTEMPTS,
      maximumEventAgeSeconds:
        optionalNumber(conf.MaximumEventAgeInSeconds, label, `${at}.MaximumEventAgeInSeconds`) ??
        LAMBDA_DEFAULT_EVENT_AGE_SECONDS,
      onFailure: isRecord(onFailure)
        ? destinationValue(onFailure.Destination, label, `${at}.DestinationConfig.OnFailure.Destination`)
        : null,
    });
  }
  return settings;
}

/**
 * osls's `getNormalizedFunctionName`: `-` -> `Dash`, `_` -> `Underscore`, first letter upper.
 * @example
 * normalizedFunctionName('worker-job'); // 'WorkerDashjob'
 */
export function normalizedFunctionName(key: string): string {
  const replaced = key.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return replaced.charAt(0).toUpperCase() + replaced.slice(1);
}

function functionsOf(doc: Record<string, unknown>, label: string): Record<string, Record<string, unknown>> {
  if (!isRecord(doc.functions))
    throw new FunctionSettingsError(label, 'functions', 'missing or not a mapping');
  const out: Record<string, Record<string, unknown>> = {};
  for (const [key, fn] of Object.entries(doc.functions)) {
    if (fn === null || fn === undefined) continue; // osls drops an empty function entry
    if (!isRecord(fn)) throw new FunctionSettingsError(label, `functions.${key}`, 'must be a mapping');
    out[key] = fn;
  }
  return out;
}

function serviceName(doc: Record<string, unknown>, label: string): string {
  const service = isRecord(doc.service) ? doc.service.name : doc.service;
  return literal(service, label, 'service');
}

/** `destinations.onFailure`: an ARN string, a function name, or `{ type, arn }` (osls uses `arn`). */
function destinationOf(value: unknown, label: string, field: string): string {
  if (isRecord(value)) return destinationValue(value.arn, label, `${field}.arn`);
  if (typeof value === 'string' && value.startsWith('arn:')) return value;
  throw new FunctionSettingsError(
    label,
    field,
    `the stand-in reads an ARN or { type, arn }; got ${JSON.stringify(value)}. Package the project (npx serverless package) to use the compiled template instead.`,
  );
}

function destinationValue(value: unknown, label: string, field: string): string {
  if (typeof value === 'string' && !value.includes('${')) return value;
  if (isRecord(value) && typeof value.Ref === 'string' && Object.keys(value).length === 1)
    return `Ref:${value.Ref}`;
  throw new FunctionSettingsError(
    label,
    field,
    `expected an ARN or { Ref: LogicalId }; got ${JSON.stringify(value)}`,
  );
}

function literal(value: unknown, label: string, field: string): string {
  if (typeof value === 'string' && value !== '' && !value.includes('${')) return value;
  throw new FunctionSettingsError(
    label,
    field,
    `expected a plain string, got ${JSON.stringify(value)} (variables are resolved only by packaging: npx serverless package)`,
  );
}

function optionalNumber(value: unknown, label: string, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  return requiredNumber(value, label, field);
}

function requiredNumber(value: unknown, label: string, field: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  throw new FunctionSettingsError(
    label,
    field,
    `expected a whole number >= 0, got ${JSON.stringify(value)}` +
      (typeof value === 'string' && value.includes('${')
        ? ' (variables are resolved only by packaging: npx serverless package)'
        : ''),
  );
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new FunctionSettingsError(file, '(file)', 'cannot be read as JSON', { cause: error });
  }
}

function isFileNewerOrSame(file: string, than: string): boolean {
  try {
    return statSync(file).mtimeMs >= statSync(than).mtimeMs;
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** CloudFormation's short-form intrinsic tags, read as osls reads them (`!Ref X` -> `{ Ref: X }`). */
const CLOUDFORMATION_TAGS: Tags = [
  ...['Ref', 'Condition'].map((name) => ({
    tag: `!${name}`,
    resolve: (value: string) => ({ [name]: value }),
  })),
  {
    tag: '!GetAtt',
    resolve: (value: string) => {
      const dot = value.indexOf('.');
      return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
    },
  },
  ...[
    'Base64',
    'Cidr',
    'FindInMap',
    'GetAZs',
    'ImportValue',
    'Join',
    'Select',
    'Split',
    'Sub',
    'And',
    'Equals',
    'If',
    'Not',
    'Or',
    'GetAtt',
  ].flatMap((name) =>
    (['seq', 'map', 'scalar'] as const)
      .filter((kind) => !(name === 'GetAtt' && kind === 'scalar'))
      .map((collection) => ({
        tag: `!${name}`,
        ...(collection === 'scalar' ? {} : { collection }),
        resolve: (value: unknown) => ({
          [`Fn::${name}`]: isToJson(value) ? value.toJSON() : value,
        }),
      })),
  ),
] as Tags;

function isToJson(value: unknown): value is { toJSON(): unknown } {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  );
}
