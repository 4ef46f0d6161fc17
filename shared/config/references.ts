import type { SsmRef } from '../domain/config.ts';
import type { FieldIssue, FieldPath } from './field-path.ts';
import { isSecretField, SECRET_FIELD_NAMES } from './secret-fields.ts';

/** `${ssm:/path}` found where it is allowed; the schema turns it into an `SsmRef`. */
export class SsmReference {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  toRef(): SsmRef {
    return { kind: 'ssm', path: this.path };
  }
}

/** A `${env:NAME}` written in a value (set or not), and the field it was written in. */
export interface EnvReference {
  readonly name: string;
  readonly path: FieldPath;
}

export interface ResolvedDocument {
  /** A fresh copy of the document with `${env:...}` replaced and `${ssm:...}` as `SsmReference`. */
  readonly value: unknown;
  /** One per bad reference; the value at that path is left as written. */
  readonly issues: readonly FieldIssue[];
  /**
   * Every well-formed `${env:NAME}`, in document order, whether or not the variable is set: what a
   * deployment must pass on to the functions (and refuse in a secret field). Taken from parsed
   * values, so a reference in a comment never counts.
   */
  readonly envReferences: readonly EnvReference[];
}

const REFERENCE = /\$\{([A-Za-z][\w-]*):([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SSM_NAME = /^(\/[A-Za-z0-9_.-]+)+$/;

/**
 * Resolves the references in every string value of a parsed document:
 * `${env:NAME}` (anywhere in a string) from `env`, and `${ssm:/path}` (a whole value, in a secret
 * field only: notifier secrets and http header values) into an `SsmReference` left for the Lambda
 * to fetch. Keys are never resolved.
 *
 * @example
 * const { value, issues, envReferences } = resolveReferences(readYaml(text, file).value, process.env);
 * // envReferences: [{ name: 'API_HOST', path: ['services', 0, 'primary', 'checks', 0, 'http', 'url'] }]
 */
export function resolveReferences(document: unknown, env: NodeJS.ProcessEnv): ResolvedDocument {
  const issues: FieldIssue[] = [];
  const envReferences: EnvReference[] = [];
  const visit = (value: unknown, path: FieldPath): unknown => {
    if (typeof value === 'string') return resolveText(value, path, env, { issues, envReferences });
    if (Array.isArray(value)) return value.map((item, index) => visit(item, [...path, index]));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, visit(item, [...path, key])]),
      );
    }
    return value;
  };
  return { value: visit(document, []), issues, envReferences };
}

interface Findings {
  readonly issues: FieldIssue[];
  readonly envReferences: EnvReference[];
}

function resolveText(text: string, path: FieldPath, env: NodeJS.ProcessEnv, found: Findings): unknown {
  const { issues } = found;
  // A reference ends at a "}", so none starts after the last one. Searching only up to it keeps
  // an unterminated run such as "${a:${a:${a:..." from costing quadratic regex backtracking.
  const end = text.lastIndexOf('}') + 1;
  const head = text.slice(0, end);
  const matches = [...head.matchAll(REFERENCE)];
  if (matches.length === 0) return text;
  const before = issues.length;
  const ssm = matches.find((match) => match[1] === 'ssm');
  if (ssm !== undefined) {
    const name = ssm[2] ?? '';
    if (!isSecretField(path)) {
      issues.push({
        path,
        message: `${ssm[0]}: SSM references are only allowed in secrets (${SECRET_FIELD_NAMES}); write the value here or use \${env:NAME}`,
      });
    } else if (matches.length > 1 || ssm[0] !== text) {
      issues.push({ path, message: `${ssm[0]} must be the whole value, not part of a longer text` });
    } else if (!SSM_NAME.test(name)) {
      issues.push({
        path,
        message: `${ssm[0]} is not a valid SSM parameter name: it starts with "/" and uses letters, digits, "_", "." and "-"`,
      });
    } else {
      return new SsmReference(name);
    }
    return text;
  }
  const resolved = head.replace(REFERENCE, (reference, scheme: string, name: string) => {
    if (scheme !== 'env') {
      issues.push({ path, message: `unknown reference ${reference}; use \${env:NAME} or \${ssm:/path}` });
    } else if (!ENV_NAME.test(name)) {
      issues.push({
        path,
        message: `${reference} does not name an environment variable (letters, digits, "_")`,
      });
    } else {
      found.envReferences.push({ name, path });
      const value = env[name];
      if (value === undefined) issues.push({ path, message: `environment variable ${name} is not set` });
      else if (value === '') issues.push({ path, message: `environment variable ${name} is set but empty` });
      else return value;
    }
    return reference;
  });
  return issues.length === before ? resolved + text.slice(end) : text;
}
