/**
 * The local Route 53: the REST-XML API (what the SDK calls), a control API for fault injection, and a
 * DNS responder (UDP and TCP on one port) that answers by weight. The test double for every integration
 * and e2e test and the Route 53 of the local demo. State lives in memory.
 *
 * @example
 * const r53 = await startLocalRoute53();
 * const client = new Route53Client({ endpoint: r53.endpoint, region: 'us-east-1' });
 * r53.faults.failNext(1, 'Throttling', 'ChangeResourceRecordSets');
 * // ...
 * await r53.close();
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AlarmStateSource } from '../cloudwatch/index.ts';
import { portOf, readBody } from '../http-body.ts';
import { type ApiContext, type AppliedChange, routeOf, runOperation } from './api.ts';
import { handleControl } from './control.ts';
import { startDnsResponder } from './dns.ts';
import { Route53ApiError } from './errors.ts';
import { createFaultPlan, type Route53Faults } from './faults.ts';
import { HealthCheckStore } from './healthchecks.ts';
import { InvalidNameError, normalizeName } from './names.ts';
import { describePropagation, type Propagation } from './propagation.ts';
import { toWireShape } from './records.ts';
import { ZoneStore } from './store.ts';
import { renderError } from './xml.ts';

export type { Route53Faults } from './faults.ts';
export {
  describePropagation,
  type Propagation,
  PropagationOptionError,
  parsePropagation,
  REALISTIC,
} from './propagation.ts';

export interface LocalRoute53Options {
  host?: string;
  port?: number;
  dnsPort?: number;
  /** How long each change stays PENDING (default instant). Wins over `inSyncDelayMs`. */
  propagation?: Propagation;
  /** Shorthand for `propagation: { kind: 'fixed', delayMs }` (0: instant). */
  inSyncDelayMs?: number;
  /** The DNS responder's weighted picks. */
  random?: () => number;
  /**
   * Where CLOUDWATCH_METRIC health checks read alarm states: `alarmStates` of a local CloudWatch
   * started in this process (local/stack.ts passes it). Without it, CreateHealthCheck is refused.
   */
  cloudwatch?: AlarmStateSource;
  /**
   * How long a change of an alarm's metric data takes to reach the health checks (default 0: AWS
   * publishes no figure; see README, "Health checks"). Measured on the CloudWatch clock.
   */
  healthCheckDelayMs?: number;
}

export interface LocalRoute53 {
  endpoint: string; // 'http://127.0.0.1:<port>'
  dnsPort: number; // port of the DNS responder, UDP and TCP
  faults: Route53Faults; // fault injection
  calls: readonly { operation: string; at: number; status: number }[]; // every API request, for counting
  changes: readonly { id: string; zoneId: string; changes: unknown[]; at: number }[]; // every APPLIED change batch
  /** The propagation model in force (see propagation.ts). */
  readonly propagation: Propagation;
  /**
   * Local only: changes submitted from now on stay PENDING as `propagation` says (those already
   * submitted keep their delay). The demo seeds its records instantly, then switches.
   */
  setPropagation(propagation: Propagation): void;
  /**
   * Local only: creates a hosted zone with the ID a configuration file names (the real service picks
   * the ID itself). Throws `InvalidInput` for a bad ID or name, `HostedZoneAlreadyExists` for a taken ID.
   */
  createHostedZone(name: string, options?: { id?: string }): { id: string; name: string };
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Starts the API on `host:port` and the DNS responder on `host:dnsPort` (ports default to 0: chosen by the OS). */
export async function startLocalRoute53(options: LocalRoute53Options = {}): Promise<LocalRoute53> {
  const host = options.host ?? '127.0.0.1';
  const now = () => Date.now();
  const propagation: Propagation =
    options.propagation ??
    (options.inSyncDelayMs === undefined || options.inSyncDelayMs === 0
      ? { kind: 'instant' }
      : { kind: 'fixed', delayMs: options.inSyncDelayMs });
  const store = new ZoneStore({ propagation, now });
  const healthCheckDelayMs = options.healthCheckDelayMs ?? 0;
  if (!Number.isFinite(healthCheckDelayMs) || healthCheckDelayMs < 0) {
    throw new RangeError(`healthCheckDelayMs must be a number >= 0, got ${healthCheckDelayMs}`);
  }
  const healthChecks = new HealthCheckStore({
    ...(options.cloudwatch === undefined ? {} : { alarms: options.cloudwatch }),
    observationDelayMs: healthCheckDelayMs,
  });
  const plan = createFaultPlan((hold) => store.holdPending(hold));
  const calls: { operation: string; at: number; status: number }[] = [];
  const changes: AppliedChange[] = [];
  const stopping = new AbortController();
  let endpoint = '';
  let dnsPort = 0;
  const ctx: ApiContext = { store, healthChecks, faults: plan, changes, endpoint: () => endpoint, now };

  const state = () => ({
    endpoint,
    dnsPort,
    zones: store.zones().map((zone) => ({
      id: zone.id,
      name: zone.name,
      recordSets: store.records(zone).map(toWireShape),
    })),
    healthChecks: healthChecks.list().map((check) => ({
      id: check.id,
      alarm: `${check.alarmRegion}/${check.alarmName}`,
      insufficientDataHealthStatus: check.insufficientData,
      status: healthChecks.status(check).reason,
    })),
    faults: plan.snapshot(),
    propagation: describePropagation(store.propagation),
    calls,
    changes,
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = now();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://local');
    const body = (await readBody(req, MAX_BODY_BYTES)).toString('utf8');
    if (url.pathname.startsWith('/_local/')) {
      const reply = handleControl(method, url.pathname, body, plan, state);
      send(res, reply.status, JSON.stringify(reply.body, null, 2), { 'content-type': 'application/json' });
      return;
    }
    const requestId = randomUUID();
    const route = routeOf(method, url.pathname);
    let status: number;
    let payload: string;
    let headers: Readonly<Record<string, string>> = {};
    try {
      if (route === undefined) {
        throw new Route53ApiError(
          'UnknownOperationException',
          404,
          `The local Route 53 does not serve ${method} ${url.pathname}`,
        );
      }
      const latency = plan.latencyFor(route.operation);
      if (latency > 0) await sleep(latency, undefined, { signal: stopping.signal });
      if (plan.takeDrop(route.operation)) {
        calls.push({ operation: route.operation, at, status: 0 });
        res.destroy();
        return;
      }
      const injected = plan.takeFailure(route.operation);
      if (injected !== undefined) throw injected;
      const response = runOperation(route, { method, url, body }, ctx);
      ({ status, body: payload } = response);
      headers = response.headers ?? {};
    } catch (error) {
      if (stopping.signal.aborted) {
        res.destroy();
        return;
      }
      const apiError =
        error instanceof Route53ApiError
          ? error
          : new Route53ApiError('InternalFailure', 500, `local Route 53 bug: ${String(error)}`);
      status = apiError.status;
      payload = renderError(apiError, requestId);
    }
    calls.push({ operation: route?.operation ?? 'Unknown', at, status });
    send(res, status, payload, { ...headers, 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        send(res, 500, JSON.stringify({ error: String(error) }), { 'content-type': 'application/json' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let dns: Awaited<ReturnType<typeof startDnsResponder>>;
  try {
    dns = await startDnsResponder({
      host,
      port: options.dnsPort ?? 0,
      store,
      random: options.random ?? Math.random,
      healthy: (id) => healthChecks.isHealthy(id),
    });
  } catch (error) {
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  const address = server.address();
  const port = portOf(address);
  endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  dnsPort = dns.port;

  let closing: Promise<void> | undefined;
  return {
    endpoint,
    dnsPort,
    faults: {
      failNext: plan.failNext,
      dropNext: plan.dropNext,
      failAfterApply: plan.failAfterApply,
      setLatency: plan.setLatency,
      holdPending: plan.holdPending,
      reset: plan.reset,
    },
    calls,
    changes,
    get propagation() {
      return store.propagation;
    },
    setPropagation(next) {
      store.setPropagation(next);
    },
    createHostedZone(name, zoneOptions = {}) {
      let normalized: string;
      try {
        normalized = normalizeName(name);
      } catch (error) {
        const reason = error instanceof InvalidNameError ? error.message : String(error);
        throw new Route53ApiError('InvalidInput', 400, `${name} is not a valid domain name: ${reason}`);
      }
      if (normalized === '.')
        throw new Route53ApiError('InvalidInput', 400, 'The root domain cannot be a hosted zone.');
      const { zone } = store.createZone(normalized, `local-${randomUUID()}`, undefined, zoneOptions.id);
      return { id: zone.id, name: zone.name };
    },
    close() {
      closing ??= (async () => {
        stopping.abort();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await Promise.all([closed, dns.close()]);
      })();
      return closing;
    },
  };
}

function send(res: http.ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}
