import { mayHoldSecret } from './secret-fields.ts';
import { placeValues } from './wording.ts';

/** One thing wrong with a configuration file. */
export interface ConfigIssue {
  /** The field in the user's YAML names (`services[1].primary.checks[0].http.url`); empty for the whole file. */
  readonly path: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
  /** 1-based line in the file, when known. */
  readonly line?: number;
  /** 1-based column, for YAML syntax errors. */
  readonly column?: number;
}

/** Base class of every error about the controller's configuration. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/**
 * A configuration file that cannot be used. `message` lists every issue, one per line, so one
 * deploy attempt shows everything there is to fix. This is where each message is placed: a value
 * quoted in it is shown, except in a field that may hold a secret (see `mayHoldSecret`), so that
 * `failoverctl validate`, `serverless package` and the cold-start log never print a secret.
 *
 * @example
 * try { loadConfig(); } catch (error) { if (error instanceof ConfigError) console.error(error.message); }
 */
export class ConfigError extends ConfigurationError {
  override name = 'ConfigError';
  /** Absolute path of the file. */
  readonly file: string;
  /** The first line of `message`: `Invalid configuration in <file> (2 problems):`. */
  readonly headline: string;
  readonly issues: readonly ConfigIssue[];

  constructor(file: string, issues: readonly ConfigIssue[], options?: ErrorOptions & { headline?: string }) {
    const placed = issues.map(placeIssue);
    const count = `${placed.length} ${placed.length === 1 ? 'problem' : 'problems'}`;
    const headline = options?.headline ?? `Invalid configuration in ${file} (${count}):`;
    super([headline, ...placed.map((issue) => `  - ${describeIssue(issue)}`)].join('\n'), options);
    this.file = file;
    this.headline = headline;
    this.issues = placed;
  }
}

function placeIssue(issue: ConfigIssue): ConfigIssue {
  return { ...issue, message: placeValues(issue.message, mayHoldSecret(issue.path)) };
}

/**
 * One issue as one line of the error: `path: message (line n)`.
 *
 * @example
 * describeIssue({ path: 'defaults.failback', message: 'must be auto or manual', line: 3 }); // 'defaults.failback: must be auto or manual (line 3)'
 */
export function describeIssue(issue: ConfigIssue): string {
  if (issue.path !== '') {
    return issue.line === undefined
      ? `${issue.path}: ${issue.message}`
      : `${issue.path}: ${issue.message} (line ${issue.line})`;
  }
  if (issue.line === undefined) return issue.message;
  const where =
    issue.column === undefined ? `line ${issue.line}` : `line ${issue.line}, column ${issue.column}`;
  return `${where}: ${issue.message}`;
}
