/**
 * `npm run soak` (through cli/node-entry.cjs, which checks the Node version first): the full simulated soak — 7 days, 20 services, random outages and flapping from
 * a seeded generator, the real `decide` every round — and its numbers, for each mode in turn: two
 * targets, ramped failback, three targets in preference order, active-active.
 * `npm run soak -- --seed 42 --days 3 --services 50` changes the run.
 */
import { parseArgs } from 'node:util';
import { runActiveActiveSoak } from './active-active.ts';
import { runPreferenceSoak } from './preference.ts';
import { formatActiveActiveReport, formatPreferenceReport, formatReport, summarize } from './report.ts';
import { runSoak, type Violation } from './simulation.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '20260105' },
    days: { type: 'string', default: '7' },
    services: { type: 'string', default: '20' },
  },
});
const seed = Number(values.seed);
const days = Number(values.days);
const services = Number(values.services);

const started = performance.now();
const report = runSoak({ seed, days, services });
for (const line of formatReport(report, performance.now() - started)) console.log(line);

const summary = summarize(report);
const failures = [
  ...report.falseFailovers.map(
    (v) => `false failover: ${v.service} at ${new Date(v.at).toISOString()}: ${v.what}`,
  ),
  ...report.falseFailbacks.map(
    (v) => `false failback: ${v.service} at ${new Date(v.at).toISOString()}: ${v.what}`,
  ),
  ...report.missedFailoverRounds.map(
    (v) => `missed failover: ${v.service} at ${new Date(v.at).toISOString()}`,
  ),
  ...report.missedFailbackRounds.map(
    (v) => `missed failback: ${v.service} at ${new Date(v.at).toISOString()}`,
  ),
  ...summary.outOfBound.map((d) => `late detection: ${d.service}: ${d.delayMs} ms > ${d.boundMs} ms`),
];
const named = (kind: string, found: readonly Violation[]) =>
  found.map((v) => `${kind}: ${v.service} at ${new Date(v.at).toISOString()}: ${v.what}`);
for (const mode of ['ramped-failback', 'three-targets'] as const) {
  const began = performance.now();
  const preference = runPreferenceSoak({ mode, seed, days, services });
  for (const line of formatPreferenceReport(preference, performance.now() - began)) console.log(line);
  for (const [kind, found] of Object.entries(preference.violations))
    failures.push(...named(`${mode} ${kind}`, found));
}
const began = performance.now();
const activeActive = runActiveActiveSoak({ seed, days, services });
for (const line of formatActiveActiveReport(
  activeActive,
  { seed, days, services },
  performance.now() - began,
))
  console.log(line);
failures.push(
  ...named('active-active false drain', activeActive.falseDrains),
  ...named('active-active false return', activeActive.falseReturns),
  ...named('active-active missed drain', activeActive.missedDrainRounds),
  ...named('active-active bad total', activeActive.badTotals),
);
for (const failure of failures.slice(0, 20)) console.log(`  ! ${failure}`);
console.log(failures.length === 0 ? 'soak: PASS' : `soak: FAIL (${failures.length} findings)`);
process.exitCode = failures.length === 0 ? 0 : 1;
