import { execFile, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { once } from 'node:events';
import net from 'node:net';
import { promisify } from 'node:util';
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import type { DecodedPacket, RecordType } from 'dns-packet';
import * as dnsPacket from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalRoute53, startLocalRoute53 } from '../../../local/route53/index.ts';

const servers: LocalRoute53[] = [];
const clients: Route53Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const server of servers.splice(0)) await server.close();
});

/** Rolls that return 0, 1/n, 2/n, ... (n-1)/n, then start again: an even sweep of [0, 1). */
function sweep(n: number): () => number {
  let i = 0;
  return () => {
    const roll = (i % n) / n;
    i += 1;
    return roll;
  };
}

async function setup(random: () => number = () => 0.5) {
  const r53 = await startLocalRoute53({ random });
  servers.push(r53);
  const client = new Route53Client({ endpoint: r53.endpoint, maxAttempts: 1 });
  clients.push(client);
  const created = await client.send(
    new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'dns' }),
  );
  const zoneId = created.HostedZone?.Id ?? '';
  const resolver = new Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${r53.dnsPort}`]);
  const change = (changes: Change[]) =>
    client.send(
      new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }),
    );
  return { r53, resolver, change };
}

function weightedA(setIdentifier: string, weight: number, address: string): ResourceRecordSet {
  return {
    Name: 'api.example.com',
    Type: 'A',
    SetIdentifier: setIdentifier,
    Weight: weight,
    TTL: 60,
    ResourceRecords: [{ Value: address }],
  };
}

function create(...sets: ResourceRecordSet[]): Change[] {
  return sets.map((set) => ({ Action: 'CREATE', ResourceRecordSet: set }));
}

/** One raw UDP query, to see the rcode, flags and every section of the answer. */
/** dns-packet encodes ANY (255) but its type definitions leave it out of RecordType. */
type QueryType = RecordType | 'ANY';

async function ask(port: number, name: string, type: QueryType): Promise<DecodedPacket & { rcode: number }> {
  const socket = dgram.createSocket('udp4');
  try {
    const reply = once(socket, 'message', { signal: AbortSignal.timeout(2_000) });
    socket.send(
      dnsPacket.encode({
        type: 'query',
        id: 4242,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type: type as RecordType, name }],
      }),
      port,
      '127.0.0.1',
    );
    const [message] = await reply;
    const packet = dnsPacket.decode(Buffer.from(message));
    return { ...packet, rcode: (packet.flags ?? 0) & 0xf };
  } finally {
    socket.close();
  }
}

/** Queries sent on one TCP connection, each with its two-byte length prefix; resolves with every reply. */
async function askTcp(port: number, queries: { id: number; name: string; type: RecordType }[]) {
  const socket = net.connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect', { signal: AbortSignal.timeout(2_000) });
    const frames = queries.map(({ id, name, type }) => {
      const body = dnsPacket.encode({ type: 'query', id, questions: [{ type, name }] });
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(body.length);
      return Buffer.concat([prefix, body]);
    });
    socket.write(Buffer.concat(frames));
    const replies: DecodedPacket[] = [];
    let pending = Buffer.alloc(0);
    for await (const chunk of socket.iterator({ destroyOnReturn: true })) {
      pending = Buffer.concat([pending, chunk as Buffer]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        replies.push(dnsPacket.decode(pending.subarray(2, 2 + pending.readUInt16BE(0))));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
      if (replies.length === queries.length) break;
    }
    return replies;
  } finally {
    socket.destroy();
  }
}

const run = promisify(execFile);

/** Why `dig` cannot be used here, or undefined when it can. */
function digMissing(): string | undefined {
  const probe = spawnSync('dig', ['-v'], { encoding: 'utf8' });
  if (probe.error !== undefined)
    return `dig is not on the PATH (${probe.error.message}); install bind9-dnsutils to run it`;
  return undefined;
}
const noDig = digMissing();
if (noDig !== undefined) process.stderr.write(`route53-dns.test.ts: skipping the dig test: ${noDig}\n`);

/** Async on purpose: the server answers from this process, so a blocking spawn would starve it. */
async function dig(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('dig', [
    '@127.0.0.1',
    '-p',
    String(port),
    '+short',
    '+time=2',
    '+tries=1',
    ...args,
  ]);
  return stdout.trim();
}

function plain(name: string, type: string, ...values: string[]): ResourceRecordSet {
  return {
    Name: name,
    Type: type as ResourceRecordSet['Type'],
    TTL: 60,
    ResourceRecords: values.map((Value) => ({ Value })),
  };
}

async function tally(resolver: Resolver, times: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < times; i++) {
    const [address = 'none'] = await resolver.resolve4('api.example.com');
    counts[address] = (counts[address] ?? 0) + 1;
  }
  return counts;
}

describe('local Route 53 DNS responder', () => {
  it('answers the heavier weighted set and moves the answer when the weights change', async () => {
    const { resolver, change } = await setup();
    await change(create(weightedA('primary', 100, '10.0.0.1'), weightedA('secondary', 0, '10.0.0.2')));
    const before = await resolver.resolve4('api.example.com');

    await change([
      { Action: 'DELETE', ResourceRecordSet: weightedA('primary', 100, '10.0.0.1') },
      { Action: 'CREATE', ResourceRecordSet: weightedA('primary', 0, '10.0.0.1') },
      { Action: 'DELETE', ResourceRecordSet: weightedA('secondary', 0, '10.0.0.2') },
      { Action: 'CREATE', ResourceRecordSet: weightedA('secondary', 100, '10.0.0.2') },
    ]);
    const after = await resolver.resolve4('api.example.com');

    expect(before).toEqual(['10.0.0.1']);
    expect(after).toEqual(['10.0.0.2']);
  });

  it('answers each set in proportion to weight/sum and never a set of weight 0', async () => {
    const { resolver, change } = await setup(sweep(100));
    await change(
      create(weightedA('a', 0, '10.0.0.1'), weightedA('b', 1, '10.0.0.2'), weightedA('c', 3, '10.0.0.3')),
    );

    const counts = await tally(resolver, 100);

    expect(counts).toEqual({ '10.0.0.2': 25, '10.0.0.3': 75 });
  });

  it('answers every set equally when all weights are 0', async () => {
    const { resolver, change } = await setup(sweep(10));
    await change(create(weightedA('a', 0, '10.0.0.1'), weightedA('b', 0, '10.0.0.2')));

    const counts = await tally(resolver, 10);

    expect(counts).toEqual({ '10.0.0.1': 5, '10.0.0.2': 5 });
  });

  it('answers NXDOMAIN, authoritatively and with the zone SOA, for an unknown name inside a zone', async () => {
    const { r53, resolver } = await setup();

    const raw = await ask(r53.dnsPort, 'nothing.example.com', 'A');

    expect(raw.rcode).toBe(3);
    expect(raw.flags ?? 0).toSatisfy((flags: number) => (flags & dnsPacket.AUTHORITATIVE_ANSWER) !== 0);
    expect(raw.answers).toEqual([]);
    expect(raw.authorities).toMatchObject([
      {
        type: 'SOA',
        name: 'example.com',
        ttl: 900,
        data: { rname: 'awsdns-hostmaster.amazon.com', serial: 1 },
      },
    ]);
    await expect(resolver.resolve4('nothing.example.com')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('answers NOERROR with no records (and the SOA) for a known name without that type', async () => {
    const { r53, resolver, change } = await setup();
    await change(
      create({ Name: 'www.example.com', Type: 'A', TTL: 300, ResourceRecords: [{ Value: '10.0.0.1' }] }),
    );

    const raw = await ask(r53.dnsPort, 'www.example.com', 'AAAA');

    expect(raw.rcode).toBe(0);
    expect(raw.answers).toEqual([]);
    expect(raw.authorities?.map((record) => record.type)).toEqual(['SOA']);
    await expect(resolver.resolve6('www.example.com')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('refuses names outside its zones', async () => {
    const { r53, resolver } = await setup();

    const raw = await ask(r53.dnsPort, 'www.example.org', 'A');

    expect(raw.rcode).toBe(5);
    expect(raw.answers).toEqual([]);
    await expect(resolver.resolve4('www.example.org')).rejects.toMatchObject({ code: 'EREFUSED' });
  });

  it('answers an A query at a CNAME with the CNAME and follows it to a target in a held zone', async () => {
    const { r53, resolver, change } = await setup();
    await change(
      create(
        {
          Name: 'api.example.com',
          Type: 'CNAME',
          SetIdentifier: 'primary',
          Weight: 100,
          TTL: 60,
          ResourceRecords: [{ Value: 'primary.example.com' }],
        },
        { Name: 'primary.example.com', Type: 'A', TTL: 30, ResourceRecords: [{ Value: '10.0.0.7' }] },
      ),
    );

    const raw = await ask(r53.dnsPort, 'api.example.com', 'A');

    expect(raw.answers).toMatchObject([
      { type: 'CNAME', name: 'api.example.com', ttl: 60, data: 'primary.example.com' },
      { type: 'A', name: 'primary.example.com', ttl: 30, data: '10.0.0.7' },
    ]);
    expect(await resolver.resolve4('api.example.com')).toEqual(['10.0.0.7']);
    expect(await resolver.resolveCname('api.example.com')).toEqual(['primary.example.com']);
  });

  it('answers with the weighted CNAME alone when its target is outside the held zones', async () => {
    const { r53, resolver, change } = await setup();
    const cname = (id: string, weight: number, target: string): ResourceRecordSet => ({
      Name: 'api.example.com',
      Type: 'CNAME',
      SetIdentifier: id,
      Weight: weight,
      TTL: 60,
      ResourceRecords: [{ Value: target }],
    });
    await change(
      create(cname('primary', 0, 'primary.example.net'), cname('secondary', 100, 'standby.example.net')),
    );

    const raw = await ask(r53.dnsPort, 'api.example.com', 'A');

    expect(raw.rcode).toBe(0);
    expect(raw.answers).toMatchObject([
      { type: 'CNAME', name: 'api.example.com', data: 'standby.example.net' },
    ]);
    expect(await resolver.resolveCname('api.example.com')).toEqual(['standby.example.net']);
  });

  it('answers an alias set with the records of its target', async () => {
    const { r53, change } = await setup();
    await change(
      create(
        { Name: 'origin.example.com', Type: 'A', TTL: 45, ResourceRecords: [{ Value: '10.0.0.5' }] },
        {
          Name: 'www.example.com',
          Type: 'A',
          AliasTarget: { HostedZoneId: 'Z1', DNSName: 'origin.example.com', EvaluateTargetHealth: false },
        },
      ),
    );

    const raw = await ask(r53.dnsPort, 'www.example.com', 'A');

    expect(raw.answers).toMatchObject([{ type: 'A', name: 'www.example.com', ttl: 45, data: '10.0.0.5' }]);
  });

  it('matches names case-insensitively and echoes the question as asked', async () => {
    const { r53, change } = await setup();
    await change(create(weightedA('primary', 100, '10.0.0.1')));

    const raw = await ask(r53.dnsPort, 'API.Example.COM', 'A');

    expect(raw.id).toBe(4242);
    expect(raw.questions).toEqual([{ name: 'API.Example.COM', type: 'A', class: 'IN' }]);
    expect(raw.answers).toMatchObject([{ name: 'API.Example.COM', data: '10.0.0.1' }]);
  });

  it('answers the old weights until a delayed change is INSYNC, as Route 53 name servers do', async () => {
    const { r53, resolver, change } = await setup();
    await change(create(weightedA('primary', 100, '10.0.0.1'), weightedA('secondary', 0, '10.0.0.2')));
    r53.setPropagation({ kind: 'fixed', delayMs: 400 });
    const submitted = performance.now();
    await change([
      { Action: 'DELETE', ResourceRecordSet: weightedA('primary', 100, '10.0.0.1') },
      { Action: 'CREATE', ResourceRecordSet: weightedA('primary', 0, '10.0.0.1') },
      { Action: 'DELETE', ResourceRecordSet: weightedA('secondary', 0, '10.0.0.2') },
      { Action: 'CREATE', ResourceRecordSet: weightedA('secondary', 100, '10.0.0.2') },
    ]);

    const pending = await resolver.resolve4('api.example.com');
    const askedWhilePending = performance.now() - submitted;
    await new Promise((resolve) => setTimeout(resolve, 450));
    const inSync = await resolver.resolve4('api.example.com');

    expect(askedWhilePending).toBeLessThan(400);
    expect(pending).toEqual(['10.0.0.1']);
    expect(inSync).toEqual(['10.0.0.2']);
  });

  it('keeps answering what is INSYNC while a newer change is held PENDING', async () => {
    const { r53, resolver, change } = await setup();
    await change(create(weightedA('primary', 100, '10.0.0.1'), weightedA('secondary', 0, '10.0.0.2')));
    r53.faults.holdPending(true);
    await change([
      { Action: 'DELETE', ResourceRecordSet: weightedA('primary', 100, '10.0.0.1') },
      { Action: 'CREATE', ResourceRecordSet: weightedA('primary', 0, '10.0.0.1') },
      { Action: 'DELETE', ResourceRecordSet: weightedA('secondary', 0, '10.0.0.2') },
      { Action: 'CREATE', ResourceRecordSet: weightedA('secondary', 100, '10.0.0.2') },
    ]);

    const whileHeld = await resolver.resolve4('api.example.com');
    r53.faults.holdPending(false);
    const released = await resolver.resolve4('api.example.com');

    expect(whileHeld).toEqual(['10.0.0.1']);
    expect(released).toEqual(['10.0.0.2']);
  });

  it('answers an EDNS query with an OPT record and a malformed query with FORMERR', async () => {
    const { r53 } = await setup();
    const socket = dgram.createSocket('udp4');
    try {
      const edns = dnsPacket.encode({
        type: 'query',
        id: 7,
        questions: [{ type: 'SOA', name: 'example.com' }],
        additionals: [
          {
            type: 'OPT',
            name: '.',
            udpPayloadSize: 1232,
            extendedRcode: 0,
            ednsVersion: 0,
            flags: 0,
            flag_do: false,
            options: [],
          },
        ],
      });
      const garbage = Buffer.from([0, 9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xff]);

      const first = once(socket, 'message', { signal: AbortSignal.timeout(2_000) });
      socket.send(edns, r53.dnsPort, '127.0.0.1');
      const ednsReply = dnsPacket.decode(Buffer.from((await first)[0]));
      const second = once(socket, 'message', { signal: AbortSignal.timeout(2_000) });
      socket.send(garbage, r53.dnsPort, '127.0.0.1');
      const formerr = dnsPacket.decode(Buffer.from((await second)[0]));

      expect(ednsReply.answers).toMatchObject([{ type: 'SOA', name: 'example.com' }]);
      expect(ednsReply.additionals).toMatchObject([{ type: 'OPT', udpPayloadSize: 4096 }]);
      expect(formerr.id).toBe(9);
      expect((formerr.flags ?? 0) & 0xf).toBe(1);
    } finally {
      socket.close();
    }
  });

  it('answers a name below a wildcard from the wildcard, and an existing name from its own sets', async () => {
    const { r53, resolver, change } = await setup();
    await change(
      create(plain('*.w.example.com', 'A', '10.0.0.9'), plain('exact.w.example.com', 'A', '10.0.0.1')),
    );

    const raw = await ask(r53.dnsPort, 'foo.w.example.com', 'A');
    const deeper = await resolver.resolve4('a.b.w.example.com');
    const exact = await resolver.resolve4('exact.w.example.com');
    const belowExact = await ask(r53.dnsPort, 'x.exact.w.example.com', 'A');
    const parent = await ask(r53.dnsPort, 'w.example.com', 'A');

    expect(raw.rcode).toBe(0);
    expect(raw.answers).toMatchObject([{ type: 'A', name: 'foo.w.example.com', ttl: 60, data: '10.0.0.9' }]);
    expect(deeper).toEqual(['10.0.0.9']);
    expect(exact).toEqual(['10.0.0.1']);
    expect(belowExact.rcode).toBe(3);
    expect(parent.rcode).toBe(0);
    expect(parent.answers).toEqual([]);
  });

  it('answers NOERROR without records for a wildcard-covered name when the wildcard lacks the type', async () => {
    const { r53, change } = await setup();
    await change(create(plain('*.w.example.com', 'A', '10.0.0.9')));

    const raw = await ask(r53.dnsPort, 'foo.w.example.com', 'AAAA');

    expect(raw.rcode).toBe(0);
    expect(raw.answers).toEqual([]);
    expect(raw.authorities?.map((record) => record.type)).toEqual(['SOA']);
  });

  it('answers ANY with every record set of the name', async () => {
    const { r53, resolver, change } = await setup();
    await change(
      create(plain('www.example.com', 'A', '10.0.0.1'), plain('www.example.com', 'TXT', '"hello"')),
    );

    const raw = await ask(r53.dnsPort, 'www.example.com', 'ANY');
    const apex = await resolver.resolveAny('example.com');

    expect(raw.rcode).toBe(0);
    expect(raw.answers?.map((record) => record.type)).toEqual(['A', 'TXT']);
    expect(apex.map((record) => record.type).sort()).toEqual(['NS', 'NS', 'NS', 'NS', 'SOA']);
  });

  it('answers over TCP, so a resolver retries there after a truncated UDP answer', async () => {
    const { r53, resolver, change } = await setup();
    const strings = Array.from({ length: 30 }, (_, i) => `${String(i).padStart(2, '0')}${'x'.repeat(198)}`);
    await change(create(plain('big.example.com', 'TXT', ...strings.map((text) => `"${text}"`))));

    const overUdp = await ask(r53.dnsPort, 'big.example.com', 'TXT');
    const resolved = await resolver.resolveTxt('big.example.com');

    expect((overUdp.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE).not.toBe(0);
    expect(overUdp.answers).toEqual([]);
    expect(resolved.map((chunks) => chunks.join('')).sort()).toEqual(strings);
  });

  it('answers several length-prefixed queries sent on one TCP connection', async () => {
    const { r53, change } = await setup();
    await change(create(weightedA('primary', 100, '10.0.0.1')));

    const replies = await askTcp(r53.dnsPort, [
      { id: 1, name: 'api.example.com', type: 'A' },
      { id: 2, name: 'nothing.example.com', type: 'A' },
    ]);

    expect(replies.map((reply) => reply.id)).toEqual([1, 2]);
    expect(replies[0]?.answers).toMatchObject([{ type: 'A', data: '10.0.0.1' }]);
    expect((replies[1]?.flags ?? 0) & 0xf).toBe(3);
  });

  it.skipIf(noDig !== undefined)('answers dig over UDP and TCP, wildcards and ANY included', async () => {
    const { r53, change } = await setup();
    await change(create(weightedA('primary', 100, '10.0.0.1'), plain('*.w.example.com', 'A', '10.0.0.9')));

    const udp = await dig(r53.dnsPort, 'api.example.com', 'A');
    const tcp = await dig(r53.dnsPort, '+tcp', 'api.example.com', 'A');
    const wildcard = await dig(r53.dnsPort, 'foo.w.example.com', 'A');
    const any = await dig(r53.dnsPort, 'api.example.com', 'ANY');

    expect(udp).toBe('10.0.0.1');
    expect(tcp).toBe('10.0.0.1');
    expect(wildcard).toBe('10.0.0.9');
    expect(any).toBe('10.0.0.1');
  });

  it('stops answering after close', async () => {
    const { r53, resolver, change } = await setup();
    await change(create(weightedA('primary', 100, '10.0.0.1')));
    const before = await resolver.resolve4('api.example.com');

    await r53.close();

    expect(before).toEqual(['10.0.0.1']);
    await expect(resolver.resolve4('api.example.com')).rejects.toMatchObject({
      code: expect.stringMatching(/ECONNREFUSED|ETIMEOUT/),
    });
  });
});
