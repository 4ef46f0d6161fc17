// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:...} and ${ssm:...} here are configuration references, not templates.
/**
 * Hostile configuration files through `parseConfig`: every document ends as a frozen configuration
 * or a `ConfigError` whose issues each say what is wrong and name a field that is there; never
 * another exception, never a hang. Over 10,000 generated documents, plus the example file mutated
 * field by field. Seeds are fixed: a failure reproduces.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { MAX_CONFIG_BYTES } from '../../shared/config/index.ts';
import { judgeHttpResponse } from '../../shared/probes/http-verdict.ts';
import {
  aliasDocument,
  HOSTILE_BODIES,
  hostileKey,
  hostilePattern,
  hostileValue,
  judgeConfig,
  type Mutation,
  mutate,
  mutation,
  nestedDocument,
  nestingDocument,
  type Outcome,
  parseFieldPath,
  pathsIn,
  plausibleDocument,
  style,
  writeOut,
  yamlText,
} from '../support/hostile-config.ts';

/**
 * The slowest match of any accepted pattern over 64 KiB: ~25 ms on one core, 339 ms seen on a loaded
 * 2-core machine; a backtracking engine takes seconds to ages, so 1 s still tells them apart.
 */
const PATTERN_LIMIT_MS = 1_000;
/** Far above any case's cost (a 1 MiB file parses in about a second): only a hang reaches it. */
const CASE_LIMIT_MS = 10_000;
const EXAMPLE = readFileSync(new URL('../../failover.config.example.yml', import.meta.url), 'utf8');

function judged(text: string, document?: unknown): Outcome {
  const outcome = judgeConfig(text, document === undefined ? undefined : { document });
  if (outcome.ms > CASE_LIMIT_MS) throw new Error(`parseConfig took ${Math.round(outcome.ms)} ms`);
  return outcome;
}

const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

// Thousands of documents per test: seconds alone, several times that beside other test files on 2 cores.
describe('parseConfig on hostile documents', { timeout: 120_000 }, () => {
  beforeAll(() => {
    // YAML warns (process.emitWarning) about keys that are collections; thousands of cases would flood the log.
    vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
  });
  afterAll(() => {
    vi.restoreAllMocks();
    // Keys such as __proto__ and constructor were everywhere: nothing may have reached the prototype.
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(Reflect.get({}, 'polluted')).toBeUndefined();
  });

  it('reads back the paths its issues name', () => {
    expect(parseFieldPath('services[1].primary.checks[0].http.url')).toEqual([
      'services',
      1,
      'primary',
      'checks',
      0,
      'http',
      'url',
    ]);
    expect(parseFieldPath('services[0].primary.checks[0].http.headers["x.y"]')).toEqual([
      'services',
      0,
      'primary',
      'checks',
      0,
      'http',
      'headers',
      'x.y',
    ]);
    expect(parseFieldPath('["__proto__"]')).toEqual(['__proto__']);
    expect(parseFieldPath('services[x]')).toBeUndefined();
  });

  it('answers 2,500 documents of hostile values at every level', () => {
    const document = fc.oneof(
      hostileValue,
      fc.record(
        { defaults: hostileValue, services: hostileValue, notifiers: hostileValue },
        { requiredKeys: [] },
      ),
      fc
        .array(fc.tuple(hostileKey, hostileValue), { maxLength: 5 })
        .map((entries) => Object.fromEntries(entries)),
    );
    fc.assert(
      fc.property(document, style, (value, as) => {
        judged(writeOut(value, as), value);
      }),
      { numRuns: 2_500, seed: 7_001 },
    );
  });

  it('answers 1,800 plausible documents broken by up to four mutations', () => {
    let valid = 0;
    let invalid = 0;
    fc.assert(
      fc.property(plausibleDocument, fc.array(mutation, { maxLength: 4 }), style, (start, changes, as) => {
        const document = changes.reduce<unknown>((doc, change) => mutate(doc, change), start);
        const outcome = judged(writeOut(document, as), document);
        if (outcome.kind === 'config') valid++;
        else invalid++;
      }),
      { numRuns: 1_800, seed: 7_002 },
    );
    // Both ends are reached: the generator makes valid files, and the mutations break them.
    expect(valid).toBeGreaterThan(100);
    expect(invalid).toBeGreaterThan(600);
  });

  it('accepts 600 hostile bodyMatches patterns only when each matches a 64 KiB body in bounded time', () => {
    let accepted = 0;
    let refused = 0;
    let slowestMs = 0;
    fc.assert(
      fc.property(hostilePattern, (bodyMatches) => {
        const check = { http: { url: 'https://a.example.com/health', bodyMatches } };
        const target = (setIdentifier: string) => ({ setIdentifier, checks: [check] });
        const document = {
          services: [
            {
              name: 'a',
              hostedZoneId: 'Z1',
              recordName: 'a.example.com',
              recordType: 'A',
              primary: target('p'),
              secondary: target('s'),
            },
          ],
        };
        const outcome = judged(writeOut(document, 'block'), document);
        if (outcome.kind === 'config-error') {
          refused++;
          expect(outcome.error.issues.map((issue) => issue.path.replace(/\[\d+\]/g, '[]'))).toContain(
            'services[].primary.checks[].http.bodyMatches',
          );
          return;
        }
        accepted++;
        const loaded = outcome.config.services[0]?.targets[0]?.checks[0];
        if (loaded?.kind !== 'http') throw new Error('the loader did not keep the http check');
        for (const body of HOSTILE_BODIES) {
          const started = performance.now();
          judgeHttpResponse(loaded, { status: 200, body, truncated: false });
          slowestMs = Math.max(slowestMs, performance.now() - started);
        }
      }),
      { numRuns: 600, seed: 7_007 },
    );
    // Both kinds are met; an accepted pattern never stalls the round (a backtracking one takes seconds).
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
    expect(slowestMs).toBeLessThan(PATTERN_LIMIT_MS);
  });

  it('answers 5,000 random texts made of YAML punctuation and field names', () => {
    fc.assert(
      fc.property(yamlText, (text) => {
        judged(text);
      }),
      { numRuns: 5_000, seed: 7_003 },
    );
  });

  it('refuses 300 alias bombs, self-references and odd merges', () => {
    let bombs = 0;
    fc.assert(
      fc.property(aliasDocument, (text) => {
        const outcome = judged(text);
        expect(outcome.kind).toBe('config-error');
        if (outcome.kind === 'config-error' && /alias bomb/.test(outcome.error.message)) bombs++;
      }),
      { numRuns: 300, seed: 7_004 },
    );
    expect(bombs).toBeGreaterThan(50);
  });

  it('refuses 300 deeply nested documents by their depth, in every YAML style', () => {
    fc.assert(
      fc.property(nestingDocument, (text) => {
        const outcome = judged(text);
        expect(outcome.kind).toBe('config-error');
      }),
      { numRuns: 300, seed: 7_005 },
    );
  });

  it('draws the nesting line at 64 levels and survives parsing deep documents again and again', () => {
    for (const nesting of ['flow-list', 'flow-map', 'compact-list', 'block-map', 'mixed'] as const) {
      for (let repeat = 0; repeat < 3; repeat++) {
        const deep = judged(nestedDocument(1_000, nesting));
        expect(deep.kind === 'config-error' && deep.error.message).toMatch(/nested more than 64 levels/);
      }
      const shallow = judged(nestedDocument(30, nesting));
      expect(shallow.kind === 'config-error' && shallow.error.message).not.toMatch(/nested more than/);
    }
  });

  it('refuses an alias that refers to its own collection', () => {
    for (const text of ['services: &a [*a]\n', 'defaults: &d {x: *d}\nservices: []\n']) {
      const outcome = judged(text);

      expect(outcome.kind === 'config-error' && outcome.error.issues[0]?.message).toMatch(
        /alias \(\*name\) is used inside the collection it names/,
      );
    }
  });

  it('answers long unterminated references and long misspelt names at once', () => {
    const references = judged(`services:\n  - name: "${'${a:'.repeat(200_000)}"\n`);
    const x = 'x'.repeat(300_000);
    const y = 'y'.repeat(300_000);
    const names = judged(`services:\n  - notify: ["${x}"]\nnotifiers:\n  ? "${y}"\n  : []\n`);

    expect(references.kind).toBe('config-error');
    expect(names.kind).toBe('config-error');
  });

  it('refuses a file over 1 MiB and reads one just under it', () => {
    const over = judged(`services: [${'a,'.repeat(MAX_CONFIG_BYTES / 2)}a]\n`);
    const under = judged(`services:\n  - name: "${'x'.repeat(MAX_CONFIG_BYTES - 30)}"\n`);

    expect(over.kind === 'config-error' && over.error.issues[0]?.message).toMatch(/may be at most 1 MiB/);
    expect(under.kind === 'config-error' && under.error.issues[0]?.path).toBe('services[0].name');
  });

  it('lists every one of 20,000 broken services', () => {
    const outcome = judged(`services:\n${'- 1\n'.repeat(20_000)}`);

    expect(outcome.kind === 'config-error' && outcome.error.issues.length).toBe(20_000);
  });

  it('refuses duplicate keys and reports duplicate service names at the second one', () => {
    const keys = judged('services: []\nservices: []\n');
    const twice = parse(EXAMPLE) as { services: unknown[] };
    const names = judged(writeOut({ ...twice, services: [twice.services[0], twice.services[0]] }, 'block'));

    expect(keys.kind === 'config-error' && keys.error.message).toMatch(/Map keys must be unique/);
    expect(names.kind === 'config-error' && names.error.issues.map((issue) => issue.path)).toContain(
      'services[1].name',
    );
  });

  describe('the example file', () => {
    const example = parse(EXAMPLE, { merge: true }) as unknown;
    const paths = pathsIn(example);
    const replacements: readonly unknown[] = [
      null,
      '',
      -1,
      1.5,
      true,
      'x'.repeat(20_000),
      [],
      {},
      JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'),
      '\uD83D\uDCA5 \u202e',
      '${env:NOT_SET}',
    ];

    it('loads as it is', () => {
      expect(judged(EXAMPLE).kind).toBe('config');
    });

    it(`answers every one of its ${paths.length} fields deleted, wrapped, duplicated or replaced by ${replacements.length} hostile values`, () => {
      let cases = 0;
      for (let at = 0; at < paths.length; at++) {
        const changes: Mutation[] = [
          { kind: 'delete', at },
          { kind: 'wrap', at },
          { kind: 'duplicate', at },
          { kind: 'add-key', at, key: '__proto__', value: { polluted: true } },
          ...replacements.map((value): Mutation => ({ kind: 'replace', at, value })),
        ];
        for (const change of changes) {
          const document = mutate(example, change);
          judged(writeOut(document, 'block'), document);
          cases++;
        }
      }
      expect(cases).toBe(paths.length * (4 + replacements.length));
    });

    it('answers 500 chains of random mutations', () => {
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 5 }), style, (changes, as) => {
          const document = changes.reduce<unknown>((doc, change) => mutate(doc, change), example);
          judged(writeOut(document, as), document);
        }),
        { numRuns: 500, seed: 7_006 },
      );
    });
  });
});
