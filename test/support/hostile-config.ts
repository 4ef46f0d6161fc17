// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:...} and ${ssm:...} here are configuration references, not templates.
/**
 * Hostile configuration documents for `parseConfig`, and the judge of what it did with each.
 * The generators aim at the places a loader breaks: wrong types, missing and unknown fields,
 * huge and odd strings, duplicate names and keys, alias bombs and cycles, deep nesting, and
 * random YAML text. The judge accepts only a valid frozen configuration or a `ConfigError`
 * whose every issue says what is wrong and names a field that is really there (or, for a
 * missing field, a known field under a parent that is there).
 */
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { ConfigError, MAX_CONFIG_BYTES, parseConfig } from '../../shared/config/index.ts';
import { parseFlipRequest } from '../../shared/controller/flip-request.ts';
import { compileBodyPattern } from '../../shared/domain/body-pattern.ts';
import type { ControllerConfig, ServiceConfig, TargetConfig } from '../../shared/domain/config.ts';
import {
  MAX_ALARM_NAME_CHARS,
  MAX_CHECKS_PER_TARGET,
  MAX_HTTP_URL_CHARS,
  MAX_PROBE_REASON_CHARS,
  MAX_TCP_HOST_CHARS,
} from '../../shared/domain/limits.ts';
import { checkLabel } from '../../shared/probes/check-label.ts';

/** The environment the documents are resolved against (the example file needs these). */
export const HOSTILE_ENV: NodeJS.ProcessEnv = {
  HEALTH_TOKEN: 'token-123',
  LEDGER_PRIMARY_HOST: '10.20.0.14',
  PLATFORM_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x',
  EMPTY: '',
};

/** Every field name the schema knows: a missing-field issue must name one of these. */
export const FIELD_NAMES: ReadonlySet<string> = new Set([
  'defaults',
  'services',
  'notifiers',
  'probeIntervalSeconds',
  'failureThreshold',
  'recoveryThreshold',
  'minDwellSeconds',
  'failback',
  'maxAutoFailbacksPerHour',
  'metrics',
  'name',
  'hostedZoneId',
  'recordName',
  'recordType',
  'activeWeight',
  'primary',
  'secondary',
  'targets',
  'id',
  'notify',
  'setIdentifier',
  'checks',
  'http',
  'tcp',
  'cloudwatchAlarm',
  'url',
  'method',
  'headers',
  'expectStatus',
  'bodyContains',
  'bodyMatches',
  'jsonPath',
  'equals',
  'maxLatencyMs',
  'timeoutMs',
  'insecureSkipVerify',
  'certMinDaysValid',
  'host',
  'port',
  'alarmName',
  'sns',
  'slack',
  'pagerduty',
  'webhook',
  'topicArn',
  'webhookUrl',
  'routingKey',
  'secret',
]);

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

const ODD_STRINGS = [
  '',
  ' ',
  '\t',
  '\0',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '\uFEFF',
  '\uD83D\uDCA5',
  '\uD800',
  'Z\u0301\u0302\u0303',
  '../../etc/passwd',
  '${env:NOPE}',
  '${env:EMPTY}',
  '${env:HEALTH_TOKEN}',
  '${env:1BAD}',
  '${ssm:/failover/x}',
  '${ssm:not-a-path}',
  '${weird:x}',
  '${env:',
  '${ssm:/a}${ssm:/b}',
  '*a',
  '&a',
  '<<',
  '0x10',
  '1e400',
  '-0',
  '.inf',
  '.nan',
  'null',
  '~',
  'yes',
  'no',
  'on',
  '2xx',
  '200-299',
  '600',
  'Z0123456789ABC',
  '/hostedzone/Z1',
  'api.example.com',
  '*.example.com',
  'a..b',
  'http://',
  'https://[::1]:99999/',
  'ftp://example.com/',
  'https://example.com/health',
  'arn:aws:sns:us-east-1:123456789012:topic',
  '(a+)+$',
  '[',
  'checks.db.ok',
  'items[0].state',
  'x\r\ny',
  ...PROTOTYPE_KEYS,
];

/** Strings meant to upset a parser: odd, unicode, control characters, long, very long. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...ODD_STRINGS), weight: 30 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 15 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 10 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 10 },
  { arbitrary: fc.integer({ min: 60, max: 2_000 }).map((n) => 'a'.repeat(n)), weight: 1 },
  // Rare, or the whole run is spent copying megabytes; the tests add a few 300 KB cases of their own.
  { arbitrary: fc.integer({ min: 20_000, max: 60_000 }).map((n) => 'x'.repeat(n)), weight: 1 },
);

/** A key of a mapping: a real field name most of the time, else something hostile. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...FIELD_NAMES), weight: 5 },
  { arbitrary: fc.constantFrom(...PROTOTYPE_KEYS), weight: 2 },
  { arbitrary: hostileString, weight: 2 },
);

const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.integer({ min: 0, max: 100 }),
  fc.double(),
  fc.constantFrom(0, -1, 1.5, 2 ** 53, -(2 ** 31), 1e308, Number.MAX_SAFE_INTEGER + 2),
  fc.boolean(),
  fc.constant(null),
);

/** Builds a plain object with own properties even for `__proto__` (never a prototype change). */
function mappingOf(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  return Object.fromEntries(entries);
}

/** Any value a YAML document can hold, shallow, with hostile scalars and keys. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileScalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 4 }).map(mappingOf),
  ),
})).value;

// ---- A valid document to mutate --------------------------------------------------------------

const serviceName = fc.constantFrom('payments-api', 'ledger', 'a', 'search-7', 'x'.repeat(64));
/** A URL, now and then near or over the length limit, as written or once percent-encoded. */
const checkUrl = fc.oneof(
  {
    arbitrary: fc.constantFrom('https://primary.example.com/health', 'http://10.0.0.5:8080/ready'),
    weight: 8,
  },
  {
    arbitrary: fc
      .integer({ min: MAX_HTTP_URL_CHARS - 40, max: MAX_HTTP_URL_CHARS + 5 })
      .map((length) => `https://h.example.com/${'p'.repeat(length - 'https://h.example.com/'.length)}`),
    weight: 1,
  },
  {
    arbitrary: fc.integer({ min: 60, max: 90 }).map((n) => `https://u:p@h.example.com/${'é'.repeat(n)}`),
    weight: 1,
  },
);

const HOSTILE_PATTERN_PARTS = [
  'a',
  'b',
  '.',
  '\\d',
  '\\w',
  '\\s',
  '\\b',
  '^',
  '$',
  '[ab]',
  '[^a]',
  '(',
  ')',
  '(?:',
  '(?<n>',
  '|',
  '*',
  '+',
  '?',
  '{2,}',
  '{3,200}',
  '*?',
  '\\1',
  '\\k<n>',
  '(?=a)',
  '(?!b)',
  '(?<=a)',
  '(?<!b)',
  '\\p{L}',
];

/**
 * Text built from regular expression syntax, weighted towards what backtracks: nested quantifiers,
 * overlapping alternations, backreferences, lookarounds. Some are invalid; many would hang RegExp.
 */
export const hostilePattern: fc.Arbitrary<string> = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      '^(a+)+$',
      '(a|a)*$',
      '(a|aa)+$',
      '(\\w+\\s?)*$',
      '^(([a-z])+.)+[A-Z]([a-z])+$',
      '(.*a){12}',
      '(?:a?){300}a{300}',
      '(x+x+)+y',
      '^(a+)+\\1$',
      '(?=(a+))a*b\\1',
    ),
    weight: 2,
  },
  {
    arbitrary: fc
      .array(fc.constantFrom(...HOSTILE_PATTERN_PARTS), { minLength: 1, maxLength: 24 })
      .map((parts) => parts.join('')),
    weight: 6,
  },
  { arbitrary: fc.string({ maxLength: 30 }), weight: 1 },
);

/** Bodies that make backtracking engines work hardest: long runs with an odd end. */
export const HOSTILE_BODIES: readonly string[] = [
  `${'a'.repeat(27)}!`,
  `${'a'.repeat(64 * 1024 - 1)}!`,
  `${'ab'.repeat(32 * 1024 - 1)}a!`,
  `${'x'.repeat(32 * 1024)}${' a'.repeat(16 * 1024)}`,
];

const httpCheckDoc = fc.record(
  {
    url: checkUrl,
    method: fc.constantFrom('GET', 'HEAD'),
    expectStatus: fc.constantFrom([200], ['2xx'], ['200-299', 204]),
    timeoutMs: fc.integer({ min: 100, max: 5000 }),
    bodyMatches: fc.oneof(
      { arbitrary: fc.constantFrom('version \\d+', '"status":\\s*"ok"', '^(a+)+$'), weight: 3 },
      { arbitrary: hostilePattern, weight: 1 },
    ),
  },
  { requiredKeys: ['url'] },
);
const checkDoc = fc.oneof(
  httpCheckDoc.map((http) => ({ http })),
  fc.record({
    tcp: fc.record({
      host: fc.constantFrom('db.internal', '10.0.0.9', `fe80::1%${'z'.repeat(MAX_TCP_HOST_CHARS - 8)}`),
      port: fc.nat(65_535),
    }),
  }),
  fc.record({
    cloudwatchAlarm: fc.record({
      alarmName: fc.constantFrom('api-5xx', 'x', 'y'.repeat(MAX_ALARM_NAME_CHARS)),
    }),
  }),
);
const checkList = fc.oneof(
  { arbitrary: fc.array(checkDoc, { minLength: 1, maxLength: 2 }), weight: 20 },
  {
    arbitrary: fc
      .integer({ min: MAX_CHECKS_PER_TARGET - 1, max: MAX_CHECKS_PER_TARGET + 1 })
      .map((count) =>
        Array.from({ length: count }, (_, port) => ({ tcp: { host: 'db.internal', port: port + 1 } })),
      ),
    weight: 1,
  },
);
const targetDoc = (id: string) => fc.record({ setIdentifier: fc.constant(id), checks: checkList });
const serviceFields = {
  name: serviceName,
  hostedZoneId: fc.constantFrom('Z0123456789ABC', '/hostedzone/Z9'),
  recordName: fc.constantFrom('api.example.com', 'Ledger.Internal.Example.com.'),
  recordType: fc.constantFrom('A', 'AAAA', 'CNAME'),
  activeWeight: fc.integer({ min: 1, max: 255 }),
  notify: fc.constantFrom(['oncall'], [], ['oncall', 'oncall']),
  failback: fc.constantFrom('auto', 'manual'),
  probeIntervalSeconds: fc.integer({ min: 5, max: 60 }),
};
const REQUIRED_SERVICE_FIELDS = ['name', 'hostedZoneId', 'recordName', 'recordType'] as const;
/** Two to four targets as a `targets:` list in preference order (issue #19). */
const targetList = fc
  .uniqueArray(fc.constantFrom('eu-west', 'us-east', 'ap-south', 'standby-2'), { minLength: 2, maxLength: 4 })
  .chain((ids) =>
    fc.tuple(
      ...ids.map((id) =>
        fc.record({ id: fc.constant(id), setIdentifier: fc.constant(id), checks: checkList }),
      ),
    ),
  );
const serviceDoc = fc.oneof(
  fc.record(
    { ...serviceFields, primary: targetDoc('blue'), secondary: targetDoc('green') },
    { requiredKeys: [...REQUIRED_SERVICE_FIELDS, 'primary', 'secondary'] },
  ),
  fc.record(
    { ...serviceFields, targets: targetList },
    { requiredKeys: [...REQUIRED_SERVICE_FIELDS, 'targets'] },
  ),
);

/** A document that is valid, or nearly (two services may clash; a timeout may not fit). */
export const plausibleDocument: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    defaults: fc.record(
      {
        probeIntervalSeconds: fc.integer({ min: 1, max: 60 }),
        failureThreshold: fc.integer({ min: 1, max: 10 }),
        recoveryThreshold: fc.integer({ min: 1, max: 20 }),
        failback: fc.constantFrom('auto', 'manual'),
      },
      { requiredKeys: [] },
    ),
    services: fc.array(serviceDoc, { minLength: 1, maxLength: 3 }),
    notifiers: fc.constant({
      oncall: [{ sns: { topicArn: 'arn:aws:sns:us-east-1:123456789012:oncall' } }],
    }),
  },
  { requiredKeys: ['services'] },
);

// ---- Mutations ---------------------------------------------------------------------------------

export type Path = readonly (string | number)[];

export type Mutation =
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'replace'; readonly at: number; readonly value: unknown }
  | { readonly kind: 'wrap'; readonly at: number }
  | { readonly kind: 'duplicate'; readonly at: number }
  | { readonly kind: 'add-key'; readonly at: number; readonly key: string; readonly value: unknown };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileValue }),
  fc.record({ kind: fc.constant('wrap' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('add-key' as const), at: fc.nat(), key: hostileKey, value: hostileValue }),
);

/** Every path in `value`, the root first; collections and scalars alike. */
export function pathsIn(value: unknown, path: Path = []): Path[] {
  const paths: Path[] = [path];
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) paths.push(...pathsIn(item, [...path, index]));
  } else if (isMapping(value)) {
    for (const [key, item] of Object.entries(value)) paths.push(...pathsIn(item, [...path, key]));
  }
  return paths;
}

/** A copy of `document` with `mutation` applied at one of its paths (chosen by `at`). */
export function mutate(document: unknown, change: Mutation): unknown {
  const paths = pathsIn(document);
  const path = paths[change.at % paths.length] ?? [];
  return updateAt(document, path, (value, parentIsList) => {
    switch (change.kind) {
      case 'delete':
        return { remove: true };
      case 'replace':
        return { value: change.value };
      case 'wrap':
        return { value: [value] };
      case 'duplicate':
        return parentIsList ? { value, again: true } : { value: { ...asObject(value), copy: value } };
      case 'add-key':
        return isMapping(value)
          ? { value: mappingOf([...Object.entries(value), [change.key, change.value]]) }
          : { value: mappingOf([[change.key, change.value]]) };
    }
  });
}

type Update = { readonly remove: true } | { readonly value: unknown; readonly again?: boolean };

function updateAt(
  node: unknown,
  path: Path,
  update: (value: unknown, parentIsList: boolean) => Update,
): unknown {
  if (path.length === 0) {
    const result = update(node, false);
    return 'remove' in result ? null : result.value;
  }
  const [head, ...rest] = path;
  if (Array.isArray(node) && typeof head === 'number') {
    const out: unknown[] = [];
    for (const [index, item] of node.entries()) {
      if (index !== head) out.push(item);
      else if (rest.length > 0) out.push(updateAt(item, rest, update));
      else {
        const result = update(item, true);
        if ('remove' in result) continue;
        out.push(result.value);
        if (result.again) out.push(result.value);
      }
    }
    return out;
  }
  if (isMapping(node) && typeof head === 'string') {
    const entries: [string, unknown][] = [];
    for (const [key, item] of Object.entries(node)) {
      if (key !== head) entries.push([key, item]);
      else if (rest.length > 0) entries.push([key, updateAt(item, rest, update)]);
      else {
        const result = update(item, false);
        if (!('remove' in result)) entries.push([key, result.value]);
      }
    }
    return mappingOf(entries);
  }
  return node;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): Record<string, unknown> {
  return isMapping(value) ? value : {};
}

/** The ways a document is written out: block YAML, flow YAML, JSON (which is YAML too). */
export type Style = 'block' | 'flow' | 'json';
export const style: fc.Arbitrary<Style> = fc.constantFrom('block', 'flow', 'json');

export function writeOut(document: unknown, as: Style): string {
  if (as === 'json') return JSON.stringify(document, null, 1) ?? 'null';
  return stringify(document, { collectionStyle: as === 'flow' ? 'flow' : 'any', lineWidth: 0 });
}

// ---- Raw YAML ----------------------------------------------------------------------------------

const YAML_TOKENS = [
  '-',
  '- ',
  ':',
  ': ',
  ' ',
  '  ',
  '\n',
  '\n  ',
  '\t',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&a ',
  '*a',
  '&b ',
  '*b',
  '<<: ',
  '!!str ',
  '!!int ',
  '!!map ',
  '!!binary ',
  '!!set ',
  '!custom ',
  '#',
  '"',
  "'",
  '\\',
  '|',
  '>',
  '? ',
  '%YAML 1.2\n',
  '%TAG ! tag:x,2000:\n',
  '---\n',
  '...\n',
  '@',
  '`',
  'services',
  'services:\n  - ',
  'name: ',
  'defaults:',
  'notifiers:',
  'primary:',
  'checks:',
  'http: ',
  'url: ',
  'x',
  '1',
  '0x1F',
  '1e9',
  '.inf',
  'null',
  'true',
  '${env:X}',
  '\uD83D\uDCA5',
  '\u0000',
  '\r',
];

/** Random text built from YAML's own punctuation, keywords and field names. */
export const yamlText: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...YAML_TOKENS), { maxLength: 60 })
  .map((tokens) => tokens.join(''));

/** Aliases that expand exponentially (billion laughs), refer to themselves, or merge oddly. */
export const aliasDocument: fc.Arbitrary<string> = fc.oneof(
  fc
    .record({ levels: fc.integer({ min: 1, max: 12 }), fanOut: fc.integer({ min: 1, max: 12 }) })
    .map(({ levels, fanOut }) => {
      const lines = ['l0: &l0 [lol]'];
      for (let level = 1; level <= levels; level++) {
        lines.push(
          `l${level}: &l${level} [${Array(fanOut)
            .fill(`*l${level - 1}`)
            .join(', ')}]`,
        );
      }
      return `${lines.join('\n')}\nservices: *l${levels}\n`;
    }),
  fc.constantFrom(
    'services: &a [*a]\n',
    'defaults: &a {x: *a}\nservices: []\n',
    'defaults: &d {<<: *d}\nservices: []\n',
    'services:\n  - &s\n    name: a\n    primary: *s\n',
    'services: *undefined\n',
    'defaults: &d {probeIntervalSeconds: 5}\nservices:\n  - <<: *d\n    <<: *d\n',
    'defaults: &d [1, 2]\nservices:\n  - <<: *d\n',
    'services:\n  - <<: [*a]\n',
    'a: &a x\nb: &a y\nservices: [*a]\n',
  ),
);

export type NestingStyle = 'flow-list' | 'flow-map' | 'compact-list' | 'block-map' | 'mixed';

/** Collections nested `depth` levels under `services`, in one of YAML's styles. */
export function nestedDocument(depth: number, nesting: NestingStyle): string {
  switch (nesting) {
    case 'flow-list':
      return `services: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    case 'flow-map':
      return `services: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`;
    case 'compact-list':
      return `services:\n  ${'- '.repeat(depth)}x\n`;
    case 'block-map':
      return `services:\n${Array.from({ length: depth }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')} 1\n`;
    case 'mixed':
      return `services: ${'[{a: '.repeat(depth)}1${'}]'.repeat(depth)}\n`;
  }
}

export const nestingDocument: fc.Arbitrary<string> = fc
  .record({
    depth: fc.oneof(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 80, max: 1_400 })),
    nesting: fc.constantFrom<NestingStyle>('flow-list', 'flow-map', 'compact-list', 'block-map', 'mixed'),
  })
  .map(({ depth, nesting }) => nestedDocument(depth, nesting));

// ---- The judge ---------------------------------------------------------------------------------

export type Outcome =
  | { readonly kind: 'config'; readonly config: ControllerConfig; readonly ms: number }
  | { readonly kind: 'config-error'; readonly error: ConfigError; readonly ms: number };

/**
 * Parses `text`: the outcome, or the first thing wrong with how `parseConfig` behaved (another
 * exception, an issue without a message, a path that names nothing, a result not frozen...).
 */
export function judgeConfig(text: string, written?: { readonly document: unknown }): Outcome {
  const started = performance.now();
  let config: ControllerConfig;
  try {
    config = parseConfig(text, 'hostile.yml', HOSTILE_ENV);
  } catch (error) {
    const ms = performance.now() - started;
    if (!(error instanceof ConfigError)) {
      throw new Error(`parseConfig threw ${describe(error)} instead of a ConfigError`, { cause: error });
    }
    checkIssues(error, text, written);
    return { kind: 'config-error', error, ms };
  }
  const ms = performance.now() - started;
  checkConfig(config);
  return { kind: 'config', config, ms };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.slice(0, 300)}` : String(error);
}

/**
 * `written`: the data `text` was written from, when the caller has it. Writing data out keeps its
 * shape nearly always, so it is looked at first; the text is parsed only when it does not match
 * (a lone "\uFEFF" key, for one, is written unquoted and read back as a byte-order mark).
 */
function checkIssues(
  error: ConfigError,
  text: string,
  written: { readonly document: unknown } | undefined,
): void {
  if (error.issues.length === 0) throw new Error('a ConfigError without issues');
  const yamlLevel = error.message.startsWith('Invalid YAML');
  const tooBig = Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES;
  // Only a document that YAML accepted is read here: its size and nesting are already bounded.
  let parsed: { document: unknown } | undefined;
  const read = (): unknown => {
    parsed ??= { document: parse(text, { merge: true, maxAliasCount: 100 }) };
    return parsed.document;
  };
  const raw: unknown = yamlLevel || tooBig ? undefined : (written?.document ?? read());
  for (const issue of error.issues) {
    if (typeof issue.message !== 'string' || issue.message.trim() === '') {
      throw new Error(`an issue without a message at "${issue.path}"`);
    }
    if (issue.path === '') {
      const wholeFile = yamlLevel || tooBig || !isMapping(raw) || !isMapping(read());
      if (!wholeFile) throw new Error(`an issue without a path about a field: ${issue.message}`);
      continue;
    }
    if (yamlLevel) throw new Error(`a YAML error with a field path: ${issue.path}`);
    const segments = parseFieldPath(issue.path);
    if (segments === undefined) throw new Error(`an unreadable path: ${issue.path}`);
    if (!namesARealField(raw, segments) && !namesARealField(read(), segments)) {
      throw new Error(`"${issue.path}" names no field of the document (${issue.message.slice(0, 200)})`);
    }
  }
}

/** The field is there, or it is a known field missing from a parent that is there. */
function namesARealField(document: unknown, path: Path): boolean {
  if (valueAt(document, path).found) return true;
  const last = path.at(-1);
  return typeof last === 'string' && FIELD_NAMES.has(last) && valueAt(document, path.slice(0, -1)).found;
}

function valueAt(document: unknown, path: Path): { found: boolean; value?: unknown } {
  let node = document;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(node) || segment >= node.length) return { found: false };
      node = node[segment];
    } else {
      if (!isMapping(node) || !Object.hasOwn(node, segment)) return { found: false };
      node = node[segment];
    }
  }
  return { found: true, value: node };
}

const SEGMENT = /\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;

/** Reads back a path that `formatFieldPath` wrote: `services[1].primary.checks[0]`, `headers["x.y"]`. */
export function parseFieldPath(text: string): Path | undefined {
  const segments: (string | number)[] = [];
  SEGMENT.lastIndex = 0;
  while (SEGMENT.lastIndex < text.length) {
    const start = SEGMENT.lastIndex;
    const match = SEGMENT.exec(text);
    if (match === null) return undefined;
    if (match[0].startsWith('.') && start === 0) return undefined;
    const [, plain, index, quoted] = match;
    if (plain !== undefined) segments.push(plain);
    else if (index !== undefined) segments.push(Number(index));
    else if (quoted !== undefined) segments.push(JSON.parse(quoted) as string);
  }
  return segments;
}

/** A configuration that loaded must be frozen throughout and keep the rules across fields. */
function checkConfig(config: ControllerConfig): void {
  const unfrozen = firstUnfrozen(config);
  if (unfrozen !== undefined) throw new Error(`the configuration is not frozen at ${unfrozen}`);
  if (config.services.length === 0) throw new Error('a configuration without services');
  const names = new Set<string>();
  for (const service of config.services) {
    if (names.has(service.name)) throw new Error(`service ${service.name} twice`);
    names.add(service.name);
    if (service.targets.length < 2) throw new Error(`${service.name}: fewer than two targets`);
    const ids = new Set(service.targets.map((target) => target.id));
    if (ids.size !== service.targets.length) throw new Error(`${service.name}: a target id twice`);
    const identifiers = new Set<string>();
    for (const target of service.targets) {
      if (identifiers.has(target.setIdentifier)) {
        throw new Error(`${service.name}: two targets use set identifier ${target.setIdentifier}`);
      }
      identifiers.add(target.setIdentifier);
    }
    for (const group of service.notify) {
      if (!Object.hasOwn(config.notifiers, group)) throw new Error(`${service.name}: no group ${group}`);
    }
    for (const check of service.targets.flatMap((target) => target.checks)) {
      if (check.timeoutMs > service.policy.probeIntervalSeconds * 1000) {
        throw new Error(`${service.name}: a ${check.timeoutMs} ms timeout does not fit the interval`);
      }
      if (check.kind === 'http' && check.bodyMatches !== undefined) {
        const compiled = compileBodyPattern(check.bodyMatches);
        if ('problem' in compiled)
          throw new Error(`accepted a bodyMatches the probe cannot run: ${compiled.problem}`);
      }
    }
    checkFlipRequestFits(service);
  }
}

/**
 * The request the watchdog would send for this service, with every check failed for the longest
 * reason a probe gives, must pass the flip functions' parser: a config the loader accepts can
 * never get its own automatic failover `rejected` (issue #18 item 4).
 */
function checkFlipRequestFits(service: ServiceConfig): void {
  const longestReason = 'r'.repeat(MAX_PROBE_REASON_CHARS);
  const evidence = (target: TargetConfig) =>
    target.checks.map((check) => ({
      check: checkLabel(check),
      ok: false,
      latencyMs: check.timeoutMs,
      reason: longestReason,
    }));
  const request = {
    service: service.name,
    epoch: 0,
    to: service.targets[1]?.id,
    reason: 'primary down',
    evidence: Object.fromEntries(service.targets.map((target) => [target.id, evidence(target)])),
  };
  const parsed = parseFlipRequest(JSON.parse(JSON.stringify(request)));
  if (!parsed.ok)
    throw new Error(`the flip function would reject the watchdog's request: ${parsed.errors.join('; ')}`);
}

function firstUnfrozen(value: unknown, path = 'config'): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (!Object.isFrozen(value)) return path;
  for (const [key, item] of Object.entries(value)) {
    const found = firstUnfrozen(item, `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
