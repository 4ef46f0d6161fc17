/**
 * What `vantages` (#11) add to the monthly cost: each extra region runs its own stack (watchdog
 * runs, metrics, alarms, logs, a KMS key), every vantage writes its verdicts to the state table
 * each round, and the MRSC global table bills every write once more in each other replica.
 * Pure, like cli/cost-model.ts, which adds these lines after the one-region ones.
 */
import type { ControllerConfig, VantagesConfig } from '../shared/domain/config.ts';

/**
 * Prices used only here (us-east-1 list prices).
 * - A customer-managed KMS key (each region's notifications topic key): $1/month, plus $1/month per
 *   yearly rotation kept. https://aws.amazon.com/kms/pricing/
 * - Replicated write request units (rWRU) are priced as single-Region write units (WRU) and billed
 *   once per replica table: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/global-tables-billing.html
 *   The on-demand WRU price ($0.625 per million) is cli/cost-model.ts's `dynamoWriteUnit`.
 */
export const VANTAGE_PRICES = {
  kmsKeyMonth: 1.0,
} as const;

/** How the vantages use the state table (the runtime side of #11). */
export interface VantageAssumptions {
  /** Verdict items each vantage writes per service per round (one item for all of its targets). */
  readonly verdictWritesPerRound: number;
  /** A verdict item is under 1 KB: one write unit. */
  readonly writeUnitsPerVerdict: number;
  /** Strongly consistent reads each vantage makes per service per round to count the quorum. */
  readonly verdictReadsPerRound: number;
  /** An MRSC table of three full replicas (a witness would bill no writes, but no vantage could use it). */
  readonly replicas: number;
}

export const DEFAULT_VANTAGE_ASSUMPTIONS: VantageAssumptions = {
  verdictWritesPerRound: 1,
  writeUnitsPerVerdict: 1,
  verdictReadsPerRound: 1,
  replicas: 3,
};

/** One region's stack as cli/cost-model.ts priced it: what each extra region costs again. */
export interface RegionCost {
  readonly watchdogUsd: number;
  readonly initAndRequestsUsd: number;
  readonly metricsUsd: number;
  readonly metrics: number;
  readonly alarmsUsd: number;
  readonly alarms: number;
  readonly logsUsd: number;
  readonly logGb: number;
  /** Write units replicated besides the verdicts: state and audit around flips, every region's run marker. */
  readonly writeUnits: number;
}

export interface VantageCostLine {
  readonly item: string;
  readonly detail: string;
  readonly usd: number;
}

/**
 * The lines `vantages` add: per extra region what its own stack costs, then the state table's
 * verdict traffic and its replication. No lines without `vantages`.
 *
 * @example
 * const lines = vantageCostLines(config, region, { runsPerMonth: 43_800, writeUnitPrice: 0.625e-6, readUnitPrice: 0.125e-6 });
 */
export function vantageCostLines(
  config: ControllerConfig,
  region: RegionCost,
  rates: { runsPerMonth: number; writeUnitPrice: number; readUnitPrice: number },
  assumptions: VantageAssumptions = DEFAULT_VANTAGE_ASSUMPTIONS,
): VantageCostLine[] {
  const vantages = config.vantages;
  if (vantages === undefined) return [];
  const a = assumptions;
  const extra = vantages.regions.slice(1);
  const n = extra.length;
  const where = `${n} more ${n === 1 ? 'region' : 'regions'} (${extra.join(', ')})`;
  const rounds = roundsPerMonth(config, rates.runsPerMonth);
  const verdictWrites = rounds * vantages.regions.length * a.verdictWritesPerRound * a.writeUnitsPerVerdict;
  const verdictReads = rounds * vantages.regions.length * a.verdictReadsPerRound;
  const replicated = (verdictWrites + region.writeUnits) * (a.replicas - 1);
  return [
    {
      item: 'Vantages: Lambda watchdog',
      detail: `${where} x the watchdog line above`,
      usd: n * region.watchdogUsd,
    },
    {
      item: 'Vantages: Lambda INIT and requests',
      detail: `${where} x the INIT and request lines above`,
      usd: n * region.initAndRequestsUsd,
    },
    {
      item: 'Vantages: flip functions',
      detail: 'idle in every region: Lambda bills invocations only, and each flip runs once (counted above)',
      usd: 0,
    },
    {
      item: 'Vantages: CloudWatch metrics',
      detail: `${where} x ${region.metrics} custom metrics (each region's watchdog publishes its own)`,
      usd: n * region.metricsUsd,
    },
    {
      item: 'Vantages: CloudWatch alarms',
      detail: `${where} x ${region.alarms} standard alarms (each region alarms on its own watchdog)`,
      usd: n * region.alarmsUsd,
    },
    {
      item: 'Vantages: CloudWatch Logs',
      detail: `${where} x ${region.logGb.toFixed(3)} GB ingested`,
      usd: n * region.logsUsd,
    },
    {
      item: 'Vantages: KMS keys',
      detail: `${where} x 1 notifications topic key at $${VANTAGE_PRICES.kmsKeyMonth}`,
      usd: n * VANTAGE_PRICES.kmsKeyMonth,
    },
    {
      item: 'Vantages: verdict writes',
      detail:
        `${fmt(verdictWrites)} write units: ${vantages.regions.length} vantages x ${fmt(rounds)} service rounds ` +
        `x ${a.verdictWritesPerRound} verdict of ${a.writeUnitsPerVerdict} unit`,
      usd: verdictWrites * rates.writeUnitPrice,
    },
    {
      item: 'Vantages: verdict reads',
      detail: `${fmt(verdictReads)} strongly consistent reads: ${vantages.regions.length} vantages x ${fmt(rounds)} service rounds`,
      usd: verdictReads * rates.readUnitPrice,
    },
    {
      item: 'Vantages: replicated writes',
      detail:
        `${fmt(replicated)} rWRU: every write (verdicts, and the ${fmt(region.writeUnits)} units of flips and run markers) ` +
        `billed again in ${a.replicas - 1} other replicas of the MRSC table`,
      usd: replicated * rates.writeUnitPrice,
    },
  ];
}

/**
 * What the estimate assumes about the vantages, for the printed list; none without them.
 *
 * @example
 * vantageAssumptionLines(config.vantages).forEach((line) => console.log(`  - ${line}`));
 */
export function vantageAssumptionLines(
  vantages: VantagesConfig | undefined,
  assumptions: VantageAssumptions = DEFAULT_VANTAGE_ASSUMPTIONS,
): string[] {
  if (vantages === undefined) return [];
  return [
    `Vantages ${vantages.regions.join(', ')}: one stack per region, ${vantages.regions[0]} owning the state as an ` +
      `MRSC global table of ${assumptions.replicas} replicas; each region costs the watchdog, metric, alarm, log ` +
      `and key lines again; flips run in one region.`,
    `Each vantage writes ${assumptions.verdictWritesPerRound} verdict (${assumptions.writeUnitsPerVerdict} write unit) ` +
      `and reads ${assumptions.verdictReadsPerRound} strongly consistently per service per round (a round every ` +
      'probeIntervalSeconds); a replicated write (rWRU) costs what a write unit does, once per other replica.',
    'Not counted with vantages: cross-region transfer of the replicated writes (about 1 KB each), table storage in ' +
      'each replica, KMS key rotations ($1/month each rotation kept), and any series a Vantage metric dimension adds.',
  ];
}

/** Service rounds a month: each service is probed every `probeIntervalSeconds` of every minute. */
function roundsPerMonth(config: ControllerConfig, runsPerMonth: number): number {
  return config.services.reduce((n, s) => n + runsPerMonth * (60 / s.policy.probeIntervalSeconds), 0);
}

function fmt(n: number): string {
  return Number.isInteger(n)
    ? n.toLocaleString('en-US')
    : n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
