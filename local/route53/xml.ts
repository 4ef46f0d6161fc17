/**
 * XML in and out, with fast-xml-parser (the library the AWS SDK itself uses).
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { invalidInput, type Route53ApiError } from './errors.ts';

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
  if (!isNode(element)) throw invalidInput(`Invalid XML ; expected the root element ${root}`);
  return element;
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
