/**
 * The size of each Lambda's bundle, built with esbuild exactly as `serverless package` builds it
 * (the options under `custom.esbuild` in serverless.yml), raw and gzipped, with the inputs that
 * take the most room. Goal: under 1 MB each.
 */
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';
import { parseDocument } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MB = 1024 * 1024;

interface ServerlessEsbuild {
  bundle?: boolean;
  minify?: boolean;
  sourcemap?: boolean;
  target?: string;
  platform?: 'node';
  format?: 'esm' | 'cjs';
  outputFileExtension?: string;
  external?: string[];
  mainFields?: string[];
  banner?: Record<string, string>;
}

interface Serverless {
  custom?: { esbuild?: ServerlessEsbuild };
  functions?: Record<string, { handler?: string }>;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

export default async function benchBundleSize(): Promise<void> {
  // serverless.yml carries CloudFormation tags (!Ref, !GetAtt): YAML keeps them as plain values.
  const serverless = parseDocument(await readFile(join(root, 'serverless.yml'), 'utf8'), {
    logLevel: 'silent',
  }).toJS() as Serverless;
  const options = serverless.custom?.esbuild ?? {};
  const esbuildOptions: BuildOptions = {
    bundle: options.bundle ?? true,
    minify: options.minify ?? false,
    sourcemap: options.sourcemap ?? false,
    target: options.target ?? 'node22',
    platform: options.platform ?? 'node',
    format: options.format ?? 'esm',
    outExtension: { '.js': options.outputFileExtension ?? '.js' },
    external: options.external ?? [],
    mainFields: options.mainFields ?? ['module', 'main'],
    banner: options.banner ?? {},
    write: false,
    metafile: true,
    logLevel: 'silent',
  };
  console.log(
    `esbuild ${JSON.stringify({ minify: esbuildOptions.minify, target: esbuildOptions.target, format: esbuildOptions.format, external: esbuildOptions.external })}`,
  );
  for (const [name, fn] of Object.entries(serverless.functions ?? {})) {
    const entry = `${(fn.handler ?? '').replace(/\.[^.]+$/, '')}.ts`;
    const started = performance.now();
    const result = await build({
      ...esbuildOptions,
      entryPoints: [join(root, entry)],
      outdir: join(tmpdir(), 'failover-bundle-bench'),
    });
    const ms = performance.now() - started;
    const output = result.outputFiles?.[0];
    if (output === undefined) throw new Error(`esbuild wrote nothing for ${entry}`);
    const gzip = gzipSync(output.contents, { level: 9 }).length;
    const inputs = Object.values(result.metafile?.outputs ?? {})[0]?.inputs ?? {};
    const byPackage = new Map<string, number>();
    for (const [path, { bytesInOutput }] of Object.entries(inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const key = match?.[1] ?? 'project code';
      byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
    }
    const largest = [...byPackage]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([pkg, bytes]) => `${pkg} ${kb(bytes)}`)
      .join(', ');
    const verdict = output.contents.length < MB ? 'under 1 MB' : 'OVER 1 MB';
    console.log(
      `  ${name} (${entry}): ${(output.contents.length / MB).toFixed(2)} MB raw, ${(gzip / MB).toFixed(2)} MB gzip — ${verdict} (built in ${Math.round(ms)} ms)`,
    );
    console.log(`    largest: ${largest}`);
  }
}
