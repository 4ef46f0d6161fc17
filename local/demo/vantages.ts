/**
 * The demo's vantages (`npm start -- --vantages 3`, issue #11): several watchdogs, each named for a
 * region, each probing through its own view of the network (local/vantage/network.ts), deciding by
 * a quorum. What differs between them is only their configuration: each vantage's copy of the
 * demo's configuration reaches every http check and the canary through its own path of the
 * network view, so one vantage can be cut off while the others still see.
 *
 *   failover.config.yml              vantages: { regions, quorum, canary } — the checks direct
 *   failover.config.<vantage>.yml    the same, every http:// check and the canary through
 *                                    <network>/via/<vantage>/<service>/<target>/...
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import { loadConfig } from '../../shared/config/index.ts';
import { MAX_VANTAGES, majorityOf } from '../../shared/config/vantages-schema.ts';
import type { ControllerConfig } from '../../shared/domain/config.ts';
import type { VantageNetwork } from '../vantage/network.ts';

/** The names the demo gives its vantages, in order: `--vantages 3` runs the first three. */
export const DEMO_VANTAGES = ['us-east-1', 'us-east-2', 'eu-west-1', 'us-west-2', 'ap-southeast-1'] as const;

/** Fewer than two is one watchdog deciding alone: the demo without `--vantages`. */
export const MIN_DEMO_VANTAGES = 2;

/** The canary's check timeout: as short as the demo's checks (probes every second). */
const CANARY_TIMEOUT_MS = 500;

export interface VantageConfig {
  readonly vantage: string;
  readonly file: string;
  readonly config: ControllerConfig;
}

/**
 * The `vantages:` block of the demo's configuration: the first `count` demo regions, a majority
 * quorum, and the canary.
 *
 * @example
 * vantagesBlock(3, 'http://127.0.0.1:4100/health');
 * // { regions: ['us-east-1', 'us-east-2', 'eu-west-1'], quorum: 2, canary: { url, timeoutMs: 500 } }
 */
export function vantagesBlock(count: number, canaryUrl: string): Record<string, unknown> {
  const regions = DEMO_VANTAGES.slice(0, count);
  return {
    regions: [...regions],
    quorum: majorityOf(regions.length),
    canary: { url: canaryUrl, timeoutMs: CANARY_TIMEOUT_MS },
  };
}

/**
 * Whether `count` vantages can run: 2 to `MAX_VANTAGES`, and no more than the demo has names for.
 *
 * @example
 * vantageCountProblem(1); // 'must be 2 to 5 ...'
 */
export function vantageCountProblem(count: number): string | undefined {
  const most = Math.min(MAX_VANTAGES, DEMO_VANTAGES.length);
  return Number.isInteger(count) && count >= MIN_DEMO_VANTAGES && count <= most
    ? undefined
    : `must be ${MIN_DEMO_VANTAGES} to ${most} (the watchdogs, one per region: ${DEMO_VANTAGES.slice(0, most).join(', ')})`;
}

/**
 * Writes each vantage's configuration beside `mainFile` (the demo's resolved configuration, with
 * its `vantages:` block) and loads it: every `http://` check of every service, and the canary,
 * reached through `network` as that vantage. An upstream is named `<service>/<target>` (so the
 * network's default partition, every `.../primary`, cuts a vantage off from every primary).
 * `https://` checks and those whose URL still references a variable are probed directly.
 *
 * @example
 * const configs = await writeVantageConfigs(configFile, config, network, stateDir);
 * configs[0].file; // '<stateDir>/failover.config.us-east-1.yml'
 */
export async function writeVantageConfigs(
  mainFile: string,
  main: ControllerConfig,
  network: VantageNetwork,
  dir: string,
): Promise<VantageConfig[]> {
  const vantages = main.vantages;
  if (vantages === undefined) return [];
  const text = await readFile(mainFile, 'utf8');
  const written: VantageConfig[] = [];
  for (const vantage of vantages.regions) {
    const document = parseDocument(text);
    const services = document.get('services');
    if (isSeq(services)) {
      services.items.forEach((item, index) => {
        const service = main.services[index];
        if (!isMap(item) || service === undefined || item.get('name') !== service.name) return;
        const routed = new Map<string, string>();
        for (const target of service.targets) {
          const origins = new Map<string, string>();
          for (const check of target.checks) {
            if (check.kind !== 'http' || !check.url.startsWith('http://')) continue;
            const origin = new URL(check.url).origin;
            // A target whose checks reach several servers: one upstream name per server.
            const name =
              origins.get(origin) ??
              (origins.size === 0
                ? `${service.name}/${target.id}`
                : `${service.name}/${target.id}-${origins.size + 1}`);
            origins.set(origin, name);
            routed.set(check.url, network.route(vantage, name, check.url));
          }
        }
        visit(item, {
          Pair(_key, pair) {
            if (!isScalar(pair.key) || pair.key.value !== 'url' || !isScalar(pair.value)) return;
            const url = pair.value.value;
            if (typeof url === 'string') pair.value.value = routed.get(url) ?? url;
          },
        });
      });
    }
    const canary = vantages.canary?.url;
    if (canary?.startsWith('http://')) {
      document.setIn(['vantages', 'canary', 'url'], network.route(vantage, 'canary', canary));
    }
    const file = join(dir, `failover.config.${vantage}.yml`);
    const header = [
      `# Written by the local demo: ${mainFile} as vantage ${vantage} sees the network`,
      `# (its http checks and the canary through ${network.url}/via/${vantage}/...). Rewritten on every start.`,
    ].join('\n');
    await writeFile(file, `${header}\n${document.toString({ lineWidth: 0 })}`);
    written.push({ vantage, file, config: loadConfig({ file, env: process.env }) });
  }
  return written;
}
