import { resolve } from 'node:path';
import type { ControllerConfig } from '../domain/config.ts';
import { checkCrossRules } from './cross-rules.ts';
import { deepFreeze } from './deep-freeze.ts';
import { configDocument } from './document-schema.ts';
import { ConfigError, type ConfigIssue } from './errors.ts';
import { type FieldIssue, formatFieldPath } from './field-path.ts';
import { resolveReferences } from './references.ts';
import { schemaIssueMessage, toFieldIssues } from './schema-issues.ts';
import { readYaml, type YamlSource } from './yaml-source.ts';

/**
 * Validates the text of a configuration file and returns the controller's configuration,
 * normalized and deep-frozen. Every problem found is reported at once in one `ConfigError`.
 * Primary course:
 *  1. Parse the YAML (syntax errors stop here, with line and column)
 *  2. Resolve `${env:NAME}` references from `env`; mark `${ssm:/path}` ones
 *  3. Validate and normalize each field; check the rules across fields and services
 *  4. Merge `defaults` into each service and freeze the result
 *
 * @example
 * const config = parseConfig(readFileSync('failover.config.yml', 'utf8'), 'failover.config.yml');
 */
export function parseConfig(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): ControllerConfig {
  const path = resolve(file);
  const source = readYaml(text, path);
  const references = resolveReferences(source.value, env);
  const parsed = configDocument.safeParse(references.value, { error: schemaIssueMessage });
  const explained = new Set(references.issues.map((issue) => formatFieldPath(issue.path)));
  const others = [
    ...(parsed.success ? [] : toFieldIssues(parsed.error.issues)),
    ...checkCrossRules(references.value),
  ];
  // A field with a bad reference is reported once, for the reference: its value was left as written.
  const issues = [
    ...references.issues,
    ...others.filter((issue) => !explained.has(formatFieldPath(issue.path))),
  ];
  if (issues.length > 0 || !parsed.success) throw new ConfigError(path, placeIssues(issues, source));
  return deepFreeze({ file: path, ...parsed.data });
}

/** Formats each issue's path, adds its line, drops repeats and orders them as they appear in the file. */
function placeIssues(issues: readonly FieldIssue[], source: YamlSource): ConfigIssue[] {
  const seen = new Set<string>();
  const placed: ConfigIssue[] = [];
  for (const issue of issues) {
    const path = formatFieldPath(issue.path);
    const key = `${path}\n${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const line = source.lineOf(issue.path);
    placed.push(
      line === undefined ? { path, message: issue.message } : { path, message: issue.message, line },
    );
  }
  return placed.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
}
