/**
 * XML in and out, with fast-xml-parser (the library the AWS SDK itself uses).
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { invalidInput, Route53ApiError } from './errors.ts';

export const XMLNS = 'https://route53.amazonaws.com/doc/2013-04-01/';

export type XmlNode = { readonly [key: string]: unknown };

/** Elements that may repeat; always parsed as arrays so one element and many look alike. */
const REPEATED = new Set(['Change', 'ResourceRecord']);

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  removeNSPrefix: true,
  isArray: (tagName) => REPEATED.has(tagName),
});

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
});

function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a request body and returns its root element, named `root`; `InvalidInput` otherwise. */
export function parseRequest(body: string, root: string): XmlNode {
  const valid = XMLValidator.validate(body);
  if (valid !== true) throw invalidInput(`Invalid XML ; ${valid.err.msg} (line ${valid.err.line})`);
  const document: unknown = parser.parse(body);
  const element = isNode(document) ? document[root] : undefined;
  if (isNode(element)) return element;
  // The service names the root it got (Paws issue #204: `ChangeBatch is not valid, expected ...`).
  const found = isNode(document) ? Object.keys(document).find((key) => !key.startsWith('?')) : undefined;
  throw new Route53ApiError(
    'MalformedInput',
    400,
    `${found ?? 'The document'} is not valid, expected ${root}`,
  );
}

/**
 * Checks that every child element of `node` is one of `allowed`, and reports the first that is not the
 * way the service's schema validator does: `Invalid XML ; cvc-complex-type.2.4.a: Invalid content was
 * found starting with element 'X'. One of '{"ns":A, "ns":B}' is expected.` (aws-sdk-js issue #71).
 * Order is not checked: the JS SDK v3 sends `Changes` before `Comment`, the reverse of the API reference,
 * and the service accepts it. A missing required element is left to the field checks.
 * @example
 * checkChildren(request, ['ChangeBatch']); // throws InvalidInput for <HostedZoneId> inside it
 */
export function checkChildren(node: XmlNode, allowed: readonly string[]): void {
  const seen = new Set<string>();
  for (const key of Object.keys(node)) {
    if (key === '#text') continue;
    if (allowed.includes(key)) {
      seen.add(key);
      continue;
    }
    const expected = allowed.filter((name) => !seen.has(name));
    if (expected.length === 0) {
      throw invalidInput(
        `Invalid XML ; cvc-complex-type.2.4.d: Invalid content was found starting with element '${key}'. No child element is expected at this point.`,
      );
    }
    const names = expected.map((name) => `"${XMLNS}":${name}`).join(', ');
    throw invalidInput(
      `Invalid XML ; cvc-complex-type.2.4.a: Invalid content was found starting with element '${key}'. One of '{${names}}' is expected.`,
    );
  }
}

/** The text of a child element (`''` for an empty one), or undefined when absent. */
export function text(node: XmlNode | undefined, key: string): string | undefined {
  const value = node?.[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isNode(value) && Object.keys(value).length === 0) return '';
  return undefined;
}

export function child(node: XmlNode | undefined, key: string): XmlNode | undefined {
  const value = node?.[key];
  if (isNode(value)) return value;
  if (value === '') return {};
  return undefined;
}

export function children(node: XmlNode | undefined, key: string): XmlNode[] {
  const value = node?.[key];
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((item) => (isNode(item) ? item : typeof item === 'string' ? { '#text': item } : {}));
}

/** A response document: declaration, root element with the Route 53 namespace. */
export function renderDocument(root: string, body: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: { '@_xmlns': XMLNS, ...body } })}`;
}

/** `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`, as the service sends. */
export function renderError(error: Route53ApiError, requestId: string): string {
  return `<?xml version="1.0"?>\n${builder.build({
    ErrorResponse: {
      '@_xmlns': XMLNS,
      Error: { Type: error.type, Code: error.code, Message: error.message },
      RequestId: requestId,
    },
  })}`;
}
