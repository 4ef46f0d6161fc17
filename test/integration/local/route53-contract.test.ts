/**
 * The Route 53 contract the local stand-in keeps: one row per request, with the status, error code and
 * message text the service answers, and where that expectation comes from. It runs against the stand-in;
 * set ROUTE53_CONTRACT_ENDPOINT (for example a `moto_server` at http://127.0.0.1:5000) to run the same
 * table against another endpoint. Requests are not signed: they carry an Authorization header whose
 * credential scope names route53 (moto_server routes by it), so the endpoint must not check signatures.
 *
 * A row without `messageIncludes` is one whose exact text the service's public record does not show;
 * local/route53/README.md lists them.
 */
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRoute53, startLocalRoute53 } from '../../../local/route53/index.ts';

const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const ZONE = 'contract.example.com';
const HEADERS = {
  'content-type': 'application/xml',
  authorization:
    'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=0',
};

interface ContractRequest {
  readonly method: 'GET' | 'POST';
  /** `{zone}` is replaced with the id of the zone the suite creates. */
  readonly path: string;
  readonly body?: string;
}

interface ContractRow {
  readonly name: string;
  /** Where the expected code and text come from. */
  readonly source: string;
  /** Requests that must succeed first (for rows that need a record set to exist). */
  readonly given?: readonly ContractRequest[];
  readonly request: ContractRequest;
  readonly expect: { readonly status: number; readonly code?: string; readonly messageIncludes?: string };
}

interface RecordSpec {
  readonly name: string;
  readonly type: string;
  readonly values: readonly string[];
  readonly ttl?: number;
  readonly setIdentifier?: string;
  readonly weight?: number;
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function rrset(spec: RecordSpec): string {
  const weighted =
    spec.setIdentifier === undefined
      ? ''
      : `<SetIdentifier>${spec.setIdentifier}</SetIdentifier><Weight>${spec.weight ?? 0}</Weight>`;
  const values = spec.values
    .map((value) => `<ResourceRecord><Value>${escapeXml(value)}</Value></ResourceRecord>`)
    .join('');
  return `<ResourceRecordSet><Name>${spec.name}</Name><Type>${spec.type}</Type>${weighted}<TTL>${spec.ttl ?? 60}</TTL><ResourceRecords>${values}</ResourceRecords></ResourceRecordSet>`;
}

function change(action: 'CREATE' | 'DELETE' | 'UPSERT', spec: RecordSpec): string {
  return `<Change><Action>${action}</Action>${rrset(spec)}</Change>`;
}

function batch(changes: readonly string[], comment?: string): ContractRequest {
  const commentXml = comment === undefined ? '' : `<Comment>${escapeXml(comment)}</Comment>`;
  return {
    method: 'POST',
    path: '/2013-04-01/hostedzone/{zone}/rrset',
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<ChangeResourceRecordSetsRequest xmlns="${XMLNS}"><ChangeBatch>${commentXml}<Changes>${changes.join('')}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`,
  };
}

function raw(body: string): ContractRequest {
  return { method: 'POST', path: '/2013-04-01/hostedzone/{zone}/rrset', body };
}

/** `count` distinct IPv4 addresses in 10.0.0.0/8. */
function addresses(count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + offset;
    return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  });
}

/** A TXT value of `strings` quoted character strings of `length` characters each. */
function txt(strings: number, length: number, seed = 'a'): string {
  return Array.from(
    { length: strings },
    (_, i) => `"${seed}${String(i).padStart(3, '0')}${'x'.repeat(length - 4)}"`,
  ).join(' ');
}

const DUPLICATE_CHANGE = 'The request contains an invalid set of changes for a resource record set';

const rows: readonly ContractRow[] = [
  {
    name: 'a valid batch is accepted',
    source: 'API reference, ChangeResourceRecordSets',
    request: batch([change('CREATE', { name: `ok.${ZONE}`, type: 'A', values: ['192.0.2.1'] })]),
    expect: { status: 200 },
  },
  {
    name: 'a DELETE then CREATE of one set (compare-and-swap) is accepted',
    source: 'API reference, ChangeResourceRecordSets (a DELETE and a CREATE of one set in one batch)',
    given: [batch([change('CREATE', { name: `cas.${ZONE}`, type: 'A', values: ['192.0.2.1'] })])],
    request: batch([
      change('DELETE', { name: `cas.${ZONE}`, type: 'A', values: ['192.0.2.1'] }),
      change('CREATE', { name: `cas.${ZONE}`, type: 'A', values: ['192.0.2.2'] }),
    ]),
    expect: { status: 200 },
  },
  {
    name: 'two UPSERTs of one set in one batch are refused',
    source: "cli53 issue #81 (the service's XML) and external-dns issue #4241",
    request: batch([
      change('UPSERT', { name: `twice.${ZONE}`, type: 'A', values: ['192.0.2.1'] }),
      change('UPSERT', { name: `twice.${ZONE}`, type: 'A', values: ['192.0.2.2'] }),
    ]),
    expect: {
      status: 400,
      code: 'InvalidChangeBatch',
      messageIncludes: `${DUPLICATE_CHANGE} 'A twice.${ZONE}.'`,
    },
  },
  {
    name: 'a CREATE then DELETE of one set in one batch is refused',
    source: 'API reference: only a DELETE followed by a CREATE may name one set twice (see README)',
    request: batch([
      change('CREATE', { name: `flip.${ZONE}`, type: 'A', values: ['192.0.2.1'] }),
      change('DELETE', { name: `flip.${ZONE}`, type: 'A', values: ['192.0.2.1'] }),
    ]),
    expect: {
      status: 400,
      code: 'InvalidChangeBatch',
      messageIncludes: `${DUPLICATE_CHANGE} 'A flip.${ZONE}.'`,
    },
  },
  {
    name: 'the same value twice in one set is refused',
    source: 'external-dns pull request #6019 (the service answered `[Duplicate Resource Record: ...]`)',
    request: batch([
      change('CREATE', { name: `dup.${ZONE}`, type: 'A', values: ['192.0.2.1', '192.0.2.1'] }),
    ]),
    expect: {
      status: 400,
      code: 'InvalidChangeBatch',
      messageIncludes: "Duplicate Resource Record: '192.0.2.1'",
    },
  },
  {
    name: 'an unquoted TXT value is refused',
    source: 'rusoto issue #1046 (the service XML) and external-dns issue #4792',
    request: batch([change('CREATE', { name: `txt.${ZONE}`, type: 'TXT', values: ['hello'] })]),
    expect: {
      status: 400,
      code: 'InvalidChangeBatch',
      messageIncludes: 'InvalidCharacterString (Value should be enclosed in quotation marks)',
    },
  },
  {
    name: 'a TXT character string of 256 characters is refused',
    source: 'boto3 issue #1462 and virtualmin issue #355',
    request: batch([change('CREATE', { name: `long.${ZONE}`, type: 'TXT', values: [txt(1, 256)] })]),
    expect: {
      status: 400,
      code: 'InvalidChangeBatch',
      messageIncludes: 'CharacterStringTooLong (Value is too long)',
    },
  },
  {
    name: 'a TXT value of two 255-character strings is accepted',
    source: 'Developer guide, TXT record format (255 characters per string, several strings per value)',
    request: batch([change('CREATE', { name: `split.${ZONE}`, type: 'TXT', values: [txt(2, 255)] })]),
    expect: { status: 200 },
  },
  {
    name: 'a value over 4,000 characters is refused before the batch is looked at',
    source: 'API model: RData max 4000; wording of the service validation errors (see the weight row)',
    request: batch([change('CREATE', { name: `huge.${ZONE}`, type: 'TXT', values: [txt(16, 250)] })]),
    expect: {
      status: 400,
      code: 'InvalidInput',
      messageIncludes:
        "at 'changeBatch.changes.1.member.resourceRecordSet.resourceRecords.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 4000",
    },
  },
  {
    name: 'a Comment after Changes is accepted',
    source:
      'the JS SDK v3 sends Changes before Comment (the reverse of the API reference) and the service accepts it',
    request: raw(
      `<?xml version="1.0"?><ChangeResourceRecordSetsRequest xmlns="${XMLNS}"><ChangeBatch><Changes>${change('CREATE', { name: `order.${ZONE}`, type: 'A', values: ['192.0.2.1'] })}</Changes><Comment>after</Comment></ChangeBatch></ChangeResourceRecordSetsRequest>`,
    ),
    expect: { status: 200 },
  },
  {
    name: 'a comment over 256 characters is refused',
    source: 'API model: ResourceDescription max 256; wording of the service validation errors',
    request: batch(
      [change('CREATE', { name: `comment.${ZONE}`, type: 'A', values: ['192.0.2.1'] })],
      'c'.repeat(257),
    ),
    expect: {
      status: 400,
      code: 'InvalidInput',
      messageIncludes:
        "at 'changeBatch.comment' failed to satisfy constraint: Member must have length less than or equal to 256",
    },
  },
  {
    name: 'a weight over 255 is refused',
    source: 'the service (quoted in local/route53/README.md, stage 1)',
    request: batch([
      change('CREATE', {
        name: `w.${ZONE}`,
        type: 'A',
        values: ['192.0.2.1'],
        setIdentifier: 'a',
        weight: 256,
      }),
    ]),
    expect: {
      status: 400,
      code: 'InvalidInput',
      messageIncludes:
        "Value '256' at 'changeBatch.changes.1.member.resourceRecordSet.weight' failed to satisfy constraint: Member must have value less than or equal to 255",
    },
  },
  {
    name: '1,000 records in one batch are accepted',
    source: 'Developer guide, quotas: 1,000 ResourceRecord elements per request',
    request: batch(
      Array.from({ length: 10 }, (_, i) =>
        change('CREATE', { name: `r${i}.many.${ZONE}`, type: 'A', values: addresses(100, i * 100) }),
      ),
    ),
    expect: { status: 200 },
  },
  {
    name: '1,001 records in one batch are refused',
    source: 'dnscontrol issue #493, external-dns issue #3203, moto',
    request: batch(
      Array.from({ length: 11 }, (_, i) =>
        change('CREATE', { name: `r${i}.more.${ZONE}`, type: 'A', values: addresses(91, i * 91) }),
      ),
    ),
    expect: {
      status: 400,
      code: 'InvalidChangeBatch',
      messageIncludes: 'Number of records limit of 1000 exceeded.',
    },
  },
  {
    name: 'an UPSERT counts twice toward the 1,000 records',
    source: 'Developer guide, quotas (UPSERT counts twice); message as above',
    request: batch(
      Array.from({ length: 6 }, (_, i) =>
        change('UPSERT', { name: `u${i}.upsert.${ZONE}`, type: 'A', values: addresses(84, i * 84) }),
      ),
    ),
    expect: {
      status: 400,
      code: 'InvalidChangeBatch',
      messageIncludes: 'Number of records limit of 1000 exceeded.',
    },
  },
  {
    name: 'over 32,000 characters of values in one batch are refused (text not known)',
    source: 'Developer guide, quotas: 32,000 characters per request; the message text is not on record',
    request: batch(
      Array.from({ length: 9 }, (_, i) =>
        change('CREATE', {
          name: `c${i}.chars.${ZONE}`,
          type: 'TXT',
          values: [txt(15, 238, String.fromCharCode(97 + i))],
        }),
      ),
    ),
    expect: { status: 400, code: 'InvalidChangeBatch' },
  },
  {
    name: 'a name outside the zone is refused',
    source: 'the service (quoted in local/route53/README.md) and moto',
    request: batch([change('CREATE', { name: 'www.example.org', type: 'A', values: ['192.0.2.1'] })]),
    expect: {
      status: 400,
      code: 'InvalidChangeBatch',
      messageIncludes: `RRSet with DNS name www.example.org. is not permitted in zone ${ZONE}.`,
    },
  },
  {
    name: 'a request whose root element is not ChangeResourceRecordSetsRequest is refused',
    source: 'Paws issue #204 and stalwart dns-update issue #44 (root ChangeBatch)',
    request: raw(
      `<?xml version="1.0"?><ChangeBatch xmlns="${XMLNS}"><Changes>${change('CREATE', { name: `root.${ZONE}`, type: 'A', values: ['192.0.2.1'] })}</Changes></ChangeBatch>`,
    ),
    expect: {
      status: 400,
      code: 'MalformedInput',
      messageIncludes: 'ChangeBatch is not valid, expected ChangeResourceRecordSetsRequest',
    },
  },
  {
    name: 'an element the schema does not allow is refused',
    source: "aws-sdk-js issue #71 (the service's schema error)",
    request: raw(
      `<?xml version="1.0"?><ChangeResourceRecordSetsRequest xmlns="${XMLNS}"><HostedZoneId>Z1</HostedZoneId><ChangeBatch><Changes>${change('CREATE', { name: `schema.${ZONE}`, type: 'A', values: ['192.0.2.1'] })}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`,
    ),
    expect: {
      status: 400,
      code: 'InvalidInput',
      messageIncludes:
        "Invalid XML ; cvc-complex-type.2.4.a: Invalid content was found starting with element 'HostedZoneId'.",
    },
  },
  {
    name: 'XML that is not well formed is refused (text not known)',
    source: 'code inferred from the schema errors above; the text for broken XML is not on record',
    request: raw(`<?xml version="1.0"?><ChangeResourceRecordSetsRequest xmlns="${XMLNS}"><ChangeBatch>`),
    expect: { status: 400, code: 'InvalidInput' },
  },
  {
    name: 'an unknown hosted zone is reported',
    source: 'the service (quoted in local/route53/README.md) and moto',
    request: { method: 'GET', path: '/2013-04-01/hostedzone/ZNOSUCHZONE0000000000' },
    expect: {
      status: 404,
      code: 'NoSuchHostedZone',
      messageIncludes: 'No hosted zone found with ID: ZNOSUCHZONE0000000000',
    },
  },
  {
    name: 'an unknown change is reported',
    source: 'aws-facts.md (NoSuchChange 404)',
    request: { method: 'GET', path: '/2013-04-01/change/CNOSUCHCHANGE000000000' },
    expect: { status: 404, code: 'NoSuchChange' },
  },
];

interface Answer {
  readonly status: number;
  readonly code?: string;
  readonly message?: string;
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, removeNSPrefix: true });

function field(node: unknown, key: string): unknown {
  return typeof node === 'object' && node !== null && key in node
    ? (node as Record<string, unknown>)[key]
    : undefined;
}

/** Reads both error shapes the service uses: `<ErrorResponse><Error>` and `<InvalidChangeBatch><Messages>`. */
function readAnswer(status: number, body: string): Answer {
  if (status < 300) return { status };
  const document: unknown = parser.parse(body);
  const error = field(field(document, 'ErrorResponse'), 'Error');
  if (error !== undefined) {
    return { status, code: String(field(error, 'Code')), message: String(field(error, 'Message')) };
  }
  const batchError = field(document, 'InvalidChangeBatch');
  if (batchError !== undefined) {
    const messages = field(field(batchError, 'Messages'), 'Message');
    return { status, code: 'InvalidChangeBatch', message: [messages].flat().map(String).join(', ') };
  }
  return { status, message: body };
}

describe('Route 53 contract', () => {
  const target = process.env.ROUTE53_CONTRACT_ENDPOINT;
  let local: LocalRoute53 | undefined;
  let endpoint = '';
  let zoneId = '';

  async function send(request: ContractRequest): Promise<Answer> {
    const response = await fetch(`${endpoint}${request.path.replace('{zone}', zoneId)}`, {
      method: request.method,
      headers: HEADERS,
      ...(request.body === undefined ? {} : { body: request.body }),
    });
    return readAnswer(response.status, await response.text());
  }

  beforeAll(async () => {
    if (target === undefined) {
      local = await startLocalRoute53();
      endpoint = local.endpoint;
    } else {
      endpoint = target.replace(/\/$/, '');
      process.stderr.write(`route53-contract.test.ts: running the contract against ${endpoint}\n`);
    }
    const created = await fetch(`${endpoint}/2013-04-01/hostedzone`, {
      method: 'POST',
      headers: HEADERS,
      body: `<?xml version="1.0"?><CreateHostedZoneRequest xmlns="${XMLNS}"><Name>${ZONE}</Name><CallerReference>contract-${Date.now()}</CallerReference></CreateHostedZoneRequest>`,
    });
    const id = field(
      field(field(parser.parse(await created.text()), 'CreateHostedZoneResponse'), 'HostedZone'),
      'Id',
    );
    if (created.status !== 201 || typeof id !== 'string') {
      throw new Error(`CreateHostedZone at ${endpoint} answered ${created.status} without a zone id`);
    }
    zoneId = id.replace('/hostedzone/', '');
  });

  afterAll(async () => {
    await local?.close();
  });

  it.each(rows)('$name ($source)', async (row) => {
    for (const given of row.given ?? []) {
      const answer = await send(given);
      expect(answer, `a request of "${row.name}" that must succeed first`).toEqual({ status: 200 });
    }

    const answer = await send(row.request);

    expect({ status: answer.status, code: answer.code }).toEqual({
      status: row.expect.status,
      code: row.expect.code,
    });
    if (row.expect.messageIncludes !== undefined)
      expect(answer.message).toContain(row.expect.messageIncludes);
  });
});
