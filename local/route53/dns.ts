/**
 * A DNS responder for the hosted zones over UDP and TCP (same port), authoritative like Route 53's name
 * servers: it answers what is INSYNC, picks one weighted set per query (probability weight/sum; weight 0
 * never, unless all are 0, then all equally), answers A/AAAA queries at a CNAME with the CNAME (following
 * it when the target is in a held zone), synthesizes answers from wildcards (RFC 4592), answers ANY with
 * every type at the name, NXDOMAIN with the SOA for unknown names, REFUSED outside its zones.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Answer, DecodedPacket, Packet, SoaAnswer } from 'dns-packet';
import * as dnsPacket from 'dns-packet';
import { compareAscii, isWithinZone, normalizeName } from './names.ts';
import type { RecordSet } from './records.ts';
import type { HostedZone, ZoneStore } from './store.ts';

export interface DnsResponderOptions {
  readonly host: string;
  readonly port: number;
  readonly store: ZoneStore;
  /** Returns a number in [0, 1); injectable so weighted answers are deterministic in tests. */
  readonly random: () => number;
  /** Whether the health check with this id is healthy now (default: every check is healthy). */
  readonly healthy?: (healthCheckId: string) => boolean;
}

export interface DnsResponder {
  readonly port: number;
  close(): Promise<void>;
}

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const MAX_CHAIN = 8;
const PLAIN_UDP_SIZE = 512;
/** Route 53 answers up to 4,096 bytes over UDP to a resolver that advertises EDNS0, whatever it asks for. */
const MAX_UDP_SIZE = 4096;
const MAX_TCP_SIZE = 65535;
/** An idle TCP connection is closed after this long (RFC 7766 leaves the value to the server). */
const TCP_IDLE_MS = 10_000;
/** With port 0 the OS picks the UDP port; its TCP twin may be taken, so a few ports are tried. */
const PORT_ATTEMPTS = 5;

/**
 * Starts the responder on UDP and TCP `host:port` (port 0: one port chosen by the OS for both).
 * @example
 * const dns = await startDnsResponder({ host: '127.0.0.1', port: 0, store, random: Math.random });
 * // dig @127.0.0.1 -p ${dns.port} api.example.com A   (add +tcp for TCP)
 * await dns.close();
 */
export async function startDnsResponder(options: DnsResponderOptions): Promise<DnsResponder> {
  for (let attempt = 1; ; attempt++) {
    const udp = await bindUdp(options);
    const port = udp.address().port;
    try {
      const tcp = await listenTcp(options, port);
      return serving(udp, tcp, port);
    } catch (error) {
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      const taken = error instanceof Error && 'code' in error && error.code === 'EADDRINUSE';
      if (!taken || options.port !== 0 || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

async function bindUdp(options: DnsResponderOptions): Promise<dgram.Socket> {
  const socket = dgram.createSocket(options.host.includes(':') ? 'udp6' : 'udp4');
  socket.on('message', (message, remote) => {
    const response = respond(message, options);
    if (response !== undefined) socket.send(response, remote.port, remote.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port, options.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  // A send to a client that has gone away must not bring the server down.
  socket.on('error', () => {});
  return socket;
}

/** DNS over TCP (RFC 1035 4.2.2, RFC 7766): each message is preceded by its length in two bytes. */
async function listenTcp(options: DnsResponderOptions, port: number): Promise<net.Server> {
  const server = net.createServer((connection) => {
    let pending = Buffer.alloc(0);
    connection.setTimeout(TCP_IDLE_MS, () => connection.destroy());
    connection.on('error', () => connection.destroy());
    connection.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (pending.length < 2 + length) break;
        const message = pending.subarray(2, 2 + length);
        pending = pending.subarray(2 + length);
        const response = respond(message, options, 'tcp');
        if (response === undefined) continue;
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(response.length);
        connection.write(Buffer.concat([prefix, response]));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

function serving(udp: dgram.Socket, tcp: net.Server, port: number): DnsResponder {
  const connections = new Set<net.Socket>();
  tcp.on('connection', (connection) => {
    connections.add(connection);
    connection.on('close', () => connections.delete(connection));
  });
  let closed: Promise<void> | undefined;
  return {
    port,
    close() {
      closed ??= (async () => {
        const tcpClosed = new Promise<void>((resolve) => tcp.close(() => resolve()));
        for (const connection of connections) connection.destroy();
        await Promise.all([new Promise<void>((resolve) => udp.close(() => resolve())), tcpClosed]);
      })();
      return closed;
    },
  };
}

/**
 * The encoded answer to one query message, or undefined when it is not worth answering (not a query).
 * Over UDP an answer larger than the client's limit is sent empty with the TC flag, so the client asks
 * again over TCP, where the limit is the 65,535 bytes a length prefix can carry.
 * @example
 * const reply = respond(dnsPacket.encode(query), { store, random: Math.random }, 'udp');
 */
export function respond(
  message: Buffer,
  options: Pick<DnsResponderOptions, 'store' | 'random' | 'healthy'>,
  transport: 'udp' | 'tcp' = 'udp',
): Buffer | undefined {
  let query: DecodedPacket;
  try {
    query = dnsPacket.decode(message);
  } catch {
    if (message.length < 12 || (message.readUInt16BE(2) & 0x8000) !== 0) return undefined;
    return dnsPacket.encode({
      type: 'response',
      id: message.readUInt16BE(0),
      flags: RCODE.FORMERR,
      questions: [],
    });
  }
  if (query.type !== 'query') return undefined;
  const limit = transport === 'tcp' ? MAX_TCP_SIZE : udpLimit(query);
  const answered = answer(query, options);
  // An EDNS query gets an OPT record back (RFC 6891), as dig expects.
  const packet: Packet = hasEdns(query)
    ? {
        ...answered,
        additionals: [
          {
            type: 'OPT',
            name: '.',
            udpPayloadSize: 4096,
            extendedRcode: 0,
            ednsVersion: 0,
            flags: 0,
            flag_do: false,
            options: [],
          },
        ],
      }
    : answered;
  const encoded = dnsPacket.encode(packet);
  if (encoded.length <= limit) return encoded;
  return dnsPacket.encode({
    ...packet,
    flags: (packet.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE,
    answers: [],
    authorities: [],
  });
}

function hasEdns(query: DecodedPacket): boolean {
  return query.additionals?.some((record) => record.type === 'OPT') ?? false;
}

function udpLimit(query: DecodedPacket): number {
  const opt = query.additionals?.find((record) => record.type === 'OPT');
  return opt !== undefined && 'udpPayloadSize' in opt
    ? Math.min(MAX_UDP_SIZE, Math.max(PLAIN_UDP_SIZE, opt.udpPayloadSize))
    : PLAIN_UDP_SIZE;
}

function answer(
  query: DecodedPacket,
  options: Pick<DnsResponderOptions, 'store' | 'random' | 'healthy'>,
): Packet {
  const questions = query.questions ?? [];
  const reply = (rcode: number, authoritative: boolean, rest: Partial<Packet> = {}): Packet => ({
    type: 'response',
    id: query.id ?? 0,
    flags:
      (authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) |
      ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) |
      rcode,
    questions,
    ...rest,
  });
  const opcode = ((query.flags ?? 0) >> 11) & 0xf;
  if (opcode !== 0) return reply(RCODE.NOTIMP, false);
  const question = questions[0];
  if (question === undefined || questions.length > 1) return reply(RCODE.FORMERR, false);
  let name: string;
  try {
    name = normalizeName(question.name);
  } catch {
    return reply(RCODE.FORMERR, false);
  }
  const resolver = new Resolution(options);
  if (resolver.zoneFor(name) === undefined) return reply(RCODE.REFUSED, false);
  const result = resolver.lookup(name, question.name, question.type, 0);
  return reply(result.rcode, true, {
    answers: result.answers,
    authorities: result.soa === undefined ? [] : [result.soa],
  });
}

interface LookupResult {
  answers: Answer[];
  rcode: number;
  soa?: SoaAnswer;
}

class Resolution {
  readonly #store: ZoneStore;
  readonly #random: () => number;
  readonly #healthy: (healthCheckId: string) => boolean;
  readonly #published = new Map<HostedZone, readonly RecordSet[] | undefined>();

  constructor(options: Pick<DnsResponderOptions, 'store' | 'random' | 'healthy'>) {
    this.#store = options.store;
    this.#random = options.random;
    this.#healthy = options.healthy ?? (() => true);
  }

  /** The most specific zone holding `name` that is being served (its first version is INSYNC). */
  zoneFor(name: string): { zone: HostedZone; records: readonly RecordSet[] } | undefined {
    let best: { zone: HostedZone; records: readonly RecordSet[] } | undefined;
    for (const zone of this.#store.zones()) {
      if (!isWithinZone(name, zone.name)) continue;
      if (best !== undefined && best.zone.name.length >= zone.name.length) continue;
      const records = this.#publishedRecords(zone);
      if (records !== undefined) best = { zone, records };
    }
    return best;
  }

  #publishedRecords(zone: HostedZone): readonly RecordSet[] | undefined {
    if (!this.#published.has(zone)) this.#published.set(zone, this.#store.publishedRecords(zone));
    return this.#published.get(zone);
  }

  /** Answers for `name` (normalized) and `type`, owned by `owner` (the name as asked). */
  lookup(name: string, owner: string, type: string, depth: number): LookupResult {
    const held = this.zoneFor(name);
    if (held === undefined) return { answers: [], rcode: RCODE.NOERROR };
    const { zone, records } = held;
    const exact = records.filter((set) => set.name === name);
    const atName = exact.length > 0 || exists(records, name) ? exact : wildcardSets(records, name, zone);
    if (atName.length === 0) {
      return {
        answers: [],
        rcode: exists(records, name) ? RCODE.NOERROR : RCODE.NXDOMAIN,
        ...this.#soa(zone, records),
      };
    }
    if (type === 'ANY') {
      // Every type at the name, one weighted pick per type; CNAMEs and aliases are not followed.
      const types = [...new Set(atName.map((set) => set.type))].sort(compareAscii);
      const answers = types.flatMap((each) => {
        const chosen = this.#pick(atName.filter((set) => set.type === each));
        return chosen === undefined ? [] : this.#answers(chosen, owner, depth);
      });
      return answers.length > 0
        ? { answers, rcode: RCODE.NOERROR }
        : { answers, rcode: RCODE.NOERROR, ...this.#soa(zone, records) };
    }
    const direct = atName.filter((set) => set.type === type);
    if (direct.length > 0) {
      const chosen = this.#pick(direct);
      const answers = chosen === undefined ? [] : this.#answers(chosen, owner, depth);
      return answers.length > 0
        ? { answers, rcode: RCODE.NOERROR }
        : { answers, rcode: RCODE.NOERROR, ...this.#soa(zone, records) };
    }
    const cnames = atName.filter((set) => set.type === 'CNAME');
    const chosen = this.#pick(cnames);
    if (chosen === undefined) return { answers: [], rcode: RCODE.NOERROR, ...this.#soa(zone, records) };
    const answers = this.#answers(chosen, owner, depth);
    const target = chosen.values?.[0];
    if (target === undefined || depth >= MAX_CHAIN) return { answers, rcode: RCODE.NOERROR };
    let targetName: string;
    try {
      targetName = normalizeName(target);
    } catch {
      return { answers, rcode: RCODE.NOERROR };
    }
    const followed = this.lookup(targetName, target.replace(/\.$/, ''), type, depth + 1);
    return { ...followed, answers: [...answers, ...followed.answers] };
  }

  /**
   * One set of a name and type: the only one, or a weighted pick the way Route 53 chooses with health
   * checks (Developer Guide, "How Amazon Route 53 chooses records when health checking is configured"):
   * healthy sets with weight > 0 by weight; if none, healthy weight-0 sets equally; if no set is healthy,
   * all are treated as healthy (weight > 0 by weight, or all weight-0 equally). A set without a health
   * check is healthy.
   */
  #pick(sets: readonly RecordSet[]): RecordSet | undefined {
    if (sets.length <= 1) return sets[0];
    const ordered = [...sets].sort((a, b) => ((a.setIdentifier ?? '') < (b.setIdentifier ?? '') ? -1 : 1));
    const healthy = (set: RecordSet) => set.healthCheckId === undefined || this.#healthy(set.healthCheckId);
    const weighted = ordered.filter((set) => (set.weight ?? 0) > 0);
    const zero = ordered.filter((set) => (set.weight ?? 0) === 0);
    const healthyWeighted = weighted.filter(healthy);
    if (healthyWeighted.length > 0) return this.#byWeight(healthyWeighted);
    const healthyZero = zero.filter(healthy);
    if (healthyZero.length > 0) return this.#equally(healthyZero);
    return weighted.length > 0 ? this.#byWeight(weighted) : this.#equally(zero);
  }

  #roll(): number {
    return Math.min(Math.max(this.#random(), 0), 0.9999999999);
  }

  #equally(sets: readonly RecordSet[]): RecordSet | undefined {
    return sets[Math.floor(this.#roll() * sets.length)];
  }

  /** Probability weight/sum; every set has weight > 0. */
  #byWeight(sets: readonly RecordSet[]): RecordSet | undefined {
    const total = sets.reduce((sum, set) => sum + (set.weight ?? 0), 0);
    let threshold = this.#roll() * total;
    for (const set of sets) {
      const weight = set.weight ?? 0;
      if (threshold < weight) return set;
      threshold -= weight;
    }
    return sets.at(-1);
  }

  #answers(set: RecordSet, owner: string, depth: number): Answer[] {
    if (set.aliasTarget !== undefined) {
      if (depth >= MAX_CHAIN) return [];
      const alias = set.aliasTarget.dnsName;
      const followed = this.lookup(alias, alias.replace(/\.$/, ''), set.type, depth + 1);
      return followed.answers
        .filter((record) => record.type === set.type)
        .map((record) => ({ ...record, name: owner }));
    }
    const ttl = set.ttl ?? 300;
    return (set.values ?? []).flatMap((value) => {
      const record = toAnswer(set.type, owner, ttl, value);
      return record === undefined ? [] : [record];
    });
  }

  #soa(zone: HostedZone, records: readonly RecordSet[]): { soa?: SoaAnswer } {
    const set = records.find((candidate) => candidate.name === zone.name && candidate.type === 'SOA');
    const value = set?.values?.[0];
    if (set === undefined || value === undefined) return {};
    const record = toAnswer('SOA', zone.name.replace(/\.$/, ''), set.ttl ?? 900, value);
    if (record?.type !== 'SOA') return {};
    // Negative answers are cached for min(SOA TTL, SOA minimum) (RFC 2308).
    return { soa: { ...record, ttl: Math.min(record.ttl ?? 900, record.data.minimum ?? 900) } };
  }
}

/** True when `name` owns a record set or is an empty non-terminal (a name with record sets below it). */
function exists(records: readonly RecordSet[], name: string): boolean {
  return records.some((set) => set.name === name || set.name.endsWith(`.${name}`));
}

/**
 * The sets of the wildcard that answers for `name`, a name that does not exist (RFC 4592): find the
 * closest encloser (the nearest existing ancestor) and use the sets at `*.<closest encloser>`. A name that
 * exists, even without the asked type, is never answered from a wildcard.
 * @example wildcardSets(records, 'foo.w.example.com.', zone) // the sets of '\052.w.example.com.'
 */
function wildcardSets(records: readonly RecordSet[], name: string, zone: HostedZone): RecordSet[] {
  let ancestor = name;
  while (ancestor !== zone.name) {
    const dot = ancestor.indexOf('.');
    // Normalized names escape a dot inside a label as \056, so the first '.' ends the first label.
    ancestor = ancestor.slice(dot + 1);
    if (ancestor === '' || exists(records, ancestor)) break;
  }
  const source = `\\052.${ancestor}`;
  return records.filter((set) => set.name === source);
}

/** One resource record for dns-packet; undefined for types it does not encode (or a value it cannot read). */
function toAnswer(type: string, name: string, ttl: number, value: string): Answer | undefined {
  const base = { name, ttl, class: 'IN' as const };
  const fields = value.trim().split(/\s+/);
  switch (type) {
    case 'A':
    case 'AAAA':
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return { ...base, type, data: value.trim() };
    case 'MX': {
      const [preference, exchange] = fields;
      if (exchange === undefined) return undefined;
      return { ...base, type, data: { preference: Number(preference), exchange } };
    }
    case 'SRV': {
      const [priority, weight, port, target] = fields;
      if (target === undefined) return undefined;
      return {
        ...base,
        type,
        data: { priority: Number(priority), weight: Number(weight), port: Number(port), target },
      };
    }
    case 'TXT':
      return { ...base, type, data: quotedStrings(value) };
    case 'SOA': {
      const [mname, rname, serial, refresh, retry, expire, minimum] = fields;
      if (mname === undefined || rname === undefined) return undefined;
      return {
        ...base,
        type,
        data: {
          mname,
          rname,
          serial: Number(serial),
          refresh: Number(refresh),
          retry: Number(retry),
          expire: Number(expire),
          minimum: Number(minimum),
        },
      };
    }
    default:
      return undefined;
  }
}

/** `"a" "b c"` -> ['a', 'b c']; an unquoted value is one string. */
function quotedStrings(value: string): string[] {
  const strings = [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) =>
    (match[1] ?? '').replace(/\\(.)/g, '$1'),
  );
  return strings.length > 0 ? strings : [value];
}
