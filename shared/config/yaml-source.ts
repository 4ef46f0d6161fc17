import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type YAMLError } from 'yaml';
import { redactUrlsInText } from '../domain/redaction.ts';
import { ConfigError, type ConfigIssue } from './errors.ts';
import type { FieldPath } from './field-path.ts';
import { lineMayHoldSecret } from './secret-fields.ts';
import { MAX_NESTING_DEPTH, valueNestingExceeds, writtenNestingExceeds } from './yaml-nesting.ts';

/** A configuration file larger than this is refused before parsing. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Alias expansions allowed when building values: anchors for shared settings, never a bomb. */
export const MAX_ALIAS_COUNT = 100;

/** A parsed YAML file: its plain value, and where each field was written. */
export interface YamlSource {
  readonly value: unknown;
  /** The line of the deepest part of `path` present in the file (a missing field: its parent). */
  lineOf(path: FieldPath): number | undefined;
}

/** What is said of a document nested too deeply (or cyclic, which is nested without end). */
const TOO_DEEP = `collections are nested more than ${MAX_NESTING_DEPTH} levels deep, or an alias (*name) is used inside the collection it names; a configuration needs about 8 levels`;

/**
 * Parses one YAML document (YAML 1.2 core schema; `<<` merge keys allowed). Syntax errors,
 * duplicate keys, unknown tags, oversized input, alias bombs, deep nesting and cyclic aliases
 * throw a `ConfigError`.
 */
export function readYaml(text: string, file: string): YamlSource {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > MAX_CONFIG_BYTES) {
    throw new ConfigError(file, [
      { path: '', message: `the file is ${size} bytes; a configuration file may be at most 1 MiB` },
    ]);
  }
  // Checked before composing: the composer recurses once per level of nesting.
  if (writtenNestingExceeds(text)) {
    throw new ConfigError(file, [{ path: '', message: TOO_DEEP }], { headline: `Invalid YAML in ${file}:` });
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: true });
  const problems = [...document.errors, ...document.warnings];
  if (problems.length > 0) {
    throw new ConfigError(
      file,
      problems.map((problem) => syntaxIssue(problem, text)),
      { headline: `Invalid YAML in ${file}:` },
    );
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message =
      error instanceof ReferenceError && /alias/i.test(error.message)
        ? `the aliases (*name) expand to more than ${MAX_ALIAS_COUNT} values, as a YAML "alias bomb" does; write repeated values out or nest fewer aliases`
        : `cannot build the document: ${error instanceof Error ? error.message : String(error)}`;
    throw new ConfigError(file, [{ path: '', message }], {
      cause: error,
      headline: `Invalid YAML in ${file}:`,
    });
  }
  if (valueNestingExceeds(value)) {
    throw new ConfigError(file, [{ path: '', message: TOO_DEEP }], { headline: `Invalid YAML in ${file}:` });
  }
  return {
    value,
    lineOf(path) {
      const offset = offsetOf(document.contents, path);
      return offset === undefined ? undefined : lineCounter.linePos(offset).line;
    },
  };
}

function syntaxIssue(problem: YAMLError, text: string): ConfigIssue {
  const summary = problem.message.split(/ at line \d+, column \d+/)[0] ?? problem.message;
  const position = problem.linePos?.[0];
  if (position === undefined) return { path: '', message: summary };
  const lines = text.split(/\r?\n/);
  // A line under `notifiers` may hold a webhook URL or a key: name the line, never quote it.
  const source = lineMayHoldSecret(lines, position.line - 1)
    ? ''
    : redactUrlsInText((lines[position.line - 1] ?? '').trim()).slice(0, 80);
  const reads = source === '' ? '' : `; the line reads: ${source}`;
  return { path: '', message: `${summary}${reads}`, line: position.line, column: position.col };
}

/** Start offset of the deepest node along `path`: map keys by name, list items by index. */
function offsetOf(root: unknown, path: FieldPath): number | undefined {
  let node: unknown = root;
  let offset = rangeStart(node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(segment));
      if (pair === undefined) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (node === undefined) break;
      offset = rangeStart(node) ?? offset;
    } else {
      // An alias, a merged field or a scalar: the location found so far is the best there is.
      break;
    }
  }
  return offset;
}

function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function rangeStart(node: unknown): number | undefined {
  if (isScalar(node) || isMap(node) || isSeq(node) || isAlias(node)) return node.range?.[0];
  return undefined;
}
