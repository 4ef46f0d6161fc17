import { isIP } from 'node:net';
import { MAX_TCP_HOST_CHARS } from '../domain/limits.ts';
import type { Interpretation } from './fields.ts';
import { describeValue } from './wording.ts';

const LABEL = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/;
const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;

/** Why `name` (lowercase, without a trailing dot) is not a DNS name, or undefined when it is one. */
function dnsNameProblem(name: string, options: { minLabels: number; wildcard: boolean }): string | undefined {
  if (name.length > MAX_NAME_LENGTH) return `is ${name.length} characters long; a DNS name has at most 253`;
  const labels = name.split('.');
  if (labels.length < options.minLabels) return 'must be a fully qualified name such as api.example.com';
  for (const [index, label] of labels.entries()) {
    if (label === '*' && index === 0 && options.wildcard) continue;
    if (label === '') return 'has an empty label (two dots in a row, or a leading dot)';
    if (label.length > MAX_LABEL_LENGTH)
      return `has a label of ${label.length} characters; at most 63 are allowed`;
    if (!LABEL.test(label)) {
      return `has an invalid label "${label}": use letters, digits, "-" and "_", not starting or ending with "-"`;
    }
  }
  return undefined;
}

/** A record name as Route 53 stores it: lowercase with a trailing dot (`api.example.com.`). */
export function interpretRecordName(value: string): Interpretation<string> {
  const name = value.toLowerCase().replace(/\.$/, '');
  const problem = dnsNameProblem(name, { minLabels: 2, wildcard: true });
  if (problem !== undefined) return { problem: `${problem}, got ${describeValue(value)}` };
  return { value: `${name}.` };
}

/** A host to connect to: a DNS name or an IP address, with no scheme or port. */
export function interpretHost(value: string): Interpretation<string> {
  // An IPv6 address may carry a zone (`fe80::1%eth0`) of any length; the name goes into check labels.
  const length = value.replace(/\.$/, '').length;
  if (length > MAX_TCP_HOST_CHARS) {
    return {
      problem: `must be at most ${MAX_TCP_HOST_CHARS} characters (a DNS name or an IP address), got ${length}`,
    };
  }
  if (isIP(value) !== 0) return { value };
  if (value.includes('/') || /:\d+$/.test(value)) {
    return {
      problem: `must be a host name or IP address only (no scheme, path or port; the port has its own field), got ${describeValue(value)}`,
    };
  }
  const problem = dnsNameProblem(value.toLowerCase().replace(/\.$/, ''), { minLabels: 1, wildcard: false });
  if (problem !== undefined) return { problem: `${problem}, got ${describeValue(value)}` };
  return { value };
}
