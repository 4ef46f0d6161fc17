/**
 * The demo's configuration: the embedded `examples/local.config.yml` or the user's `--config`, its
 * `${env:FAILOVER_DEMO_*}` references filled in with the demo backends' URLs (the product's own
 * mechanism: set the variables, then load), optional timing overrides for `defaults`, written as one
 * self-contained file that another shell can point `FAILOVER_CONFIG` at.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument, visit } from 'yaml';
import { loadConfig } from '../../shared/config/index.ts';
import type { ControllerConfig } from '../../shared/domain/config.ts';
import { DemoSetupError } from './errors.ts';

/** The configuration `npm start` runs when no `--config` is given. */
export const EMBEDDED_CONFIG = fileURLToPath(new URL('../../examples/local.config.yml', import.meta.url));

/**
 * `npm start -- --mode active-active|active-passive` (issue #13): a three-target service served by
 * three demo backends (primary, standby, tertiary), by weight (50/30/20) or as a preference list.
 */
export type DemoMode = 'active-active' | 'active-passive';
export const DEMO_MODES: readonly DemoMode[] = ['active-active', 'active-passive'];
export const MODE_CONFIGS: Readonly<Record<DemoMode, string>> = {
  'active-active': fileURLToPath(new URL('../../examples/local-active-active.config.yml', import.meta.url)),
  'active-passive': fileURLToPath(new URL('../../examples/local-active-passive.config.yml', import.meta.url)),
};

/** The variables a demo configuration may reference; the demo sets them to its backends' URLs. */
export const DEMO_ENV = {
  primaryUrl: 'FAILOVER_DEMO_PRIMARY_URL',
  standbyUrl: 'FAILOVER_DEMO_STANDBY_URL',
  tertiaryUrl: 'FAILOVER_DEMO_TERTIARY_URL',
} as const;

/** Overrides of the `defaults` policy (a service that sets a field itself keeps its own value). */
export interface DemoPolicyOverrides {
  readonly probeIntervalSeconds?: number;
  readonly failureThreshold?: number;
  readonly recoveryThreshold?: number;
  readonly minDwellSeconds?: number;
}

const POLICY_OVERRIDES = [
  'probeIntervalSeconds',
  'failureThreshold',
  'recoveryThreshold',
  'minDwellSeconds',
] as const satisfies readonly (keyof DemoPolicyOverrides)[];

export interface DemoConfigSource {
  readonly file: string;
  readonly text: string;
  /** Which demo backends the file references (and so must be started). */
  readonly wants: { readonly primary: boolean; readonly standby: boolean; readonly tertiary: boolean };
}

export async function readDemoConfigSource(configFile: string | undefined): Promise<DemoConfigSource> {
  const file = resolve(configFile ?? EMBEDDED_CONFIG);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : '';
    const why = code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    throw new DemoSetupError(`Cannot read the configuration ${file}: ${why}; pass the path of a .yml file`, {
      cause: error,
    });
  }
  return {
    file,
    text,
    wants: {
      primary: text.includes(`\${env:${DEMO_ENV.primaryUrl}}`),
      standby: text.includes(`\${env:${DEMO_ENV.standbyUrl}}`),
      tertiary: text.includes(`\${env:${DEMO_ENV.tertiaryUrl}}`),
    },
  };
}

/**
 * Validates `source` with the demo's variables set (errors name the user's file and line), then
 * writes `target`: the same document with the demo's references replaced by their values and the
 * overrides applied to `defaults`, and loads it (what the watchdog and `failoverctl` will load).
 * `vantages`, when given, replaces the file's `vantages:` block (`npm start -- --vantages 3`).
 *
 * @example
 * const config = await writeDemoConfig(source, { FAILOVER_DEMO_PRIMARY_URL: 'http://127.0.0.1:8081' }, {}, out);
 */
export async function writeDemoConfig(
  source: DemoConfigSource,
  values: Readonly<Record<string, string>>,
  overrides: DemoPolicyOverrides,
  target: string,
  vantages?: Readonly<Record<string, unknown>>,
): Promise<ControllerConfig> {
  loadConfig({ file: source.file, env: { ...process.env, ...values } });

  const document = parseDocument(source.text);
  for (const field of POLICY_OVERRIDES) {
    const value = overrides[field];
    if (value !== undefined) document.setIn(['defaults', field], value);
  }
  if (vantages !== undefined) document.set('vantages', document.createNode(vantages, { flow: true }));
  visit(document, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string') return;
      node.value = node.value.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (reference, name: string) =>
        Object.hasOwn(values, name) ? (values[name] ?? reference) : reference,
      );
    },
  });
  const header = [
    `# Written by the local demo from ${source.file}`,
    `# (demo backend URLs filled in, timing overrides applied${vantages === undefined ? '' : ', vantages set by --vantages'}). Rewritten on every start.`,
  ].join('\n');
  await writeFile(target, `${header}\n${document.toString({ lineWidth: 0 })}`);
  return loadConfig({ file: target, env: process.env });
}
