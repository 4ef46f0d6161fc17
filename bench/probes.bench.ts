/**
 * Probe round cost at scale: 1,000 endpoints that black-hole (accept, never answer; 1 s timeout),
 * then 1,000 that answer at once. Prints wall time and peak RSS (sampled during the round).
 * Goal for the black-hole round: under 2 s and under 256 MB with the default concurrency.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { ServiceConfig } from '../shared/domain/config.ts';
import { createProber } from '../shared/probes/prober.ts';
import { httpCheck, serviceWith } from '../test/support/probe-checks.ts';

const ENDPOINTS = 1000;
const TIMEOUT_MS = 1000;
const MB = 1024 * 1024;

/** What each kind of endpoint does with a connection, as the source of a small Node program. */
const SERVER_SOURCE = {
  'black-hole': `require('node:net').createServer(() => {})`,
  healthy: `require('node:http').createServer((request, response) => response.end('ok'))`,
};

interface BenchServer {
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Runs the endpoints in their own process, as they would be in production: otherwise the servers'
 * work shares the prober's event loop and the benchmark measures both.
 */
async function startServerProcess(kind: keyof typeof SERVER_SOURCE): Promise<BenchServer> {
  const source = `${SERVER_SOURCE[kind]}.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, function () {
    process.stdout.write(this.address().port + '\\n');
  });`;
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [firstLine] = (await once(child.stdout, 'data')) as [Buffer];
  return {
    origin: `http://127.0.0.1:${Number.parseInt(firstLine.toString('utf8'), 10)}`,
    close: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** 500 services x 2 targets x 1 check: 1,000 distinct URLs on `server`. */
function servicesOn(server: BenchServer): ServiceConfig[] {
  return Array.from({ length: ENDPOINTS / 2 }, (_, index) =>
    serviceWith(
      `svc-${index}`,
      [httpCheck(`${server.origin}/svc-${index}/primary`, { timeoutMs: TIMEOUT_MS })],
      [httpCheck(`${server.origin}/svc-${index}/secondary`, { timeoutMs: TIMEOUT_MS })],
    ),
  );
}

async function measureRound(title: string, services: ServiceConfig[]): Promise<void> {
  const prober = createProber();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 5);
  const started = performance.now();
  const observations = await prober.probeServices(services);
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);

  const results = [...observations.values()].flatMap((seen) =>
    Object.values(seen.targets).flatMap((target) => target.checks),
  );
  const reasons = new Map<string, number>();
  for (const result of results) reasons.set(result.reason, (reasons.get(result.reason) ?? 0) + 1);
  const slowest = Math.max(...results.map((result) => result.latencyMs));
  console.log(`${title}`);
  console.log(`  endpoints: ${results.length}, passed: ${results.filter((result) => result.ok).length}`);
  console.log(`  reasons: ${[...reasons].map(([reason, count]) => `${count} x ${reason}`).join('; ')}`);
  console.log(`  wall time: ${Math.round(wallMs)} ms (slowest probe ${slowest} ms)`);
  console.log(`  peak rss: ${(peakRss / MB).toFixed(1)} MB`);
}

export default async function benchProbes(): Promise<void> {
  console.log(`baseline rss: ${(process.memoryUsage().rss / MB).toFixed(1)} MB`);

  const blackHole = await startServerProcess('black-hole');
  try {
    await measureRound(`${ENDPOINTS} black-holed endpoints, timeout ${TIMEOUT_MS} ms`, servicesOn(blackHole));
  } finally {
    await blackHole.close();
  }

  const healthy = await startServerProcess('healthy');
  try {
    await measureRound(`${ENDPOINTS} endpoints answering at once`, servicesOn(healthy));
  } finally {
    await healthy.close();
  }
}
