/**
 * `npm run soak` (through cli/node-entry.cjs, which checks the Node version first): the full simulated soak — 7 days, 20 services, random outages and flapping from
 * a seeded generator, the real `decide` every round — and its numbers.
 * `npm run soak -- --seed 42 --days 3 --services 50` changes the run.
 */
import { parseArgs } from 'node:util';
import { formatReport, summarize } from './report.ts';
import { runSoak } from './simulation.ts';

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
for (const failure of failures.slice(0, 20)) console.log(`  ! ${failure}`);
console.log(failures.length === 0 ? 'soak: PASS' : `soak: FAIL (${failures.length} findings)`);
process.exitCode = failures.length === 0 ? 0 : 1;
