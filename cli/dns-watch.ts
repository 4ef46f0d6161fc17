/**
 * Watching what DNS answers for a record, straight from the authoritative servers (no cache in
 * between): how a drill sees the moment clients would start to follow a flip.
 */
import { lookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { RecordType } from '../shared/domain/config.ts';
import type { Clock } from '../shared/domain/ports.ts';
import { OperationError, UsageError } from './errors.ts';

/**
 * Where the drill watches DNS when `--dns-server` is not given: `host:port[,host:port...]`. The
 * local demo's env.sh sets it to its DNS responder, whose hosted zones list name servers
 * (`ns-514.awsdns-2.net`) that exist only on paper.
 */
export const DNS_SERVER_ENV = 'FAILOVERCTL_DNS_SERVER';

export interface DnsWatch {
  /** The answer now, normalized (lowercase, no trailing dot, sorted); empty when there is none. */
  answer(): Promise<string[]>;
  /**
   * Poll until `done(answer)` holds; resolves with when it was first seen (epoch ms), or null
   * at `deadline` or when `signal` aborts.
   */
  waitFor(
    done: (answer: readonly string[]) => boolean,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<number | null>;
}

export interface DnsWatchOptions {
  /** `host:port` or `host` (port 53); hosts may be names (resolved once) or IP addresses. */
  readonly servers: readonly string[];
  readonly recordName: string;
  readonly recordType: RecordType;
  readonly clock: Clock;
  readonly pollMs?: number;
}

/** Normalize DNS names and addresses for comparison. */
export function normalizeAnswer(values: readonly string[]): string[] {
  return values.map((v) => v.toLowerCase().replace(/\.$/, '')).sort();
}

/**
 * @example
 * const watch = await createDnsWatch({ servers: ['127.0.0.1:5353'], recordName: 'api.example.com.', recordType: 'CNAME', clock });
 * const seenAt = await watch.waitFor((a) => a.includes('standby.example.net'), Date.now() + 120_000);
 */
export async function createDnsWatch(options: DnsWatchOptions): Promise<DnsWatch> {
  const resolver = new Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers(await Promise.all(options.servers.map(serverAddress)));
  const name = options.recordName.replace(/\.$/, '');
  const pollMs = options.pollMs ?? 250;

  const answer = async (): Promise<string[]> => {
    try {
      switch (options.recordType) {
        case 'CNAME':
          return normalizeAnswer(await resolver.resolveCname(name));
        case 'A':
          return normalizeAnswer(await resolver.resolve4(name));
        case 'AAAA':
          return normalizeAnswer(await resolver.resolve6(name));
      }
    } catch {
      return []; // no answer yet (timeout, NXDOMAIN during propagation): keep polling
    }
  };

  return {
    answer,
    async waitFor(done, deadline, signal) {
      for (;;) {
        const current = await answer();
        const seenAt = options.clock.now();
        if (done(current)) return seenAt;
        if (seenAt + pollMs > deadline || signal?.aborted) return null;
        await options.clock.sleep(pollMs);
      }
    },
  };
}

/** `host:port` -> `ip:port` (IPv6 as `[ip]:port`), resolving a host name once. */
async function serverAddress(server: string): Promise<string> {
  const match =
    /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(server.trim()) ??
    (isIP(server) === 6 ? [server, server] : null);
  const host = match?.[1] ?? match?.[2];
  const port = match?.[3] === undefined ? 53 : Number(match[3]);
  if (!host || !(port >= 1 && port <= 65535)) {
    throw new UsageError(`A DNS server must be host[:port] (e.g. 127.0.0.1:5353), got '${server}'.`);
  }
  let ip = host;
  if (isIP(host) === 0) {
    try {
      ip = (await lookup(host)).address;
    } catch (error) {
      throw new OperationError(
        `Cannot resolve the name server ${host}: pass --dns-server host:port (or set ${DNS_SERVER_ENV}).`,
        {
          cause: error,
        },
      );
    }
  }
  return isIP(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
}
