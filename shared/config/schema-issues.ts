/**
 * Turns zod's issues into messages an operator can act on. Most fields carry their own message;
 * `schemaIssueMessage` words the rest, and `toFieldIssues` gives one issue per unknown key.
 */
import { z } from 'zod';
import type { FieldIssue } from './field-path.ts';
import { closestName, describeValue, listChoices } from './wording.ts';

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
};

/**
 * The error map passed to `safeParse`. For an unknown key it returns only the allowed keys
 * (comma-separated): `toFieldIssues` writes the message for each unknown key from them.
 */
export function schemaIssueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? 'is required'
        : `must be ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}`;
    case 'unrecognized_keys':
      return issue.inst instanceof z.core.$ZodObject ? Object.keys(issue.inst._zod.def.shape).join(', ') : '';
    case 'invalid_value':
      return `must be ${listChoices(issue.values.map((value) => String(value)))}, got ${describeValue(issue.input)}`;
    case 'invalid_key':
      return issue.issues[0]?.message ?? 'is not an allowed key';
    case 'invalid_union':
      return `has an unexpected form: ${describeValue(issue.input)}`;
    default:
      return undefined;
  }
}

/** zod issues as field issues, one per unknown key. */
export function toFieldIssues(issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  return issues.flatMap((issue): FieldIssue[] => {
    const path = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
    if (issue.code !== 'unrecognized_keys') return [{ path, message: issue.message }];
    const allowed = issue.message === '' ? [] : issue.message.split(', ');
    return issue.keys.map((key) => ({ path: [...path, key], message: unknownKeyMessage(key, allowed) }));
  });
}

/** `unknown field "x" (did you mean "y"?); allowed here: ...`. */
export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const suggestion = closestName(key, allowed);
  const hint = suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
  return `unknown field "${key}"${hint}; allowed here: ${allowed.join(', ')}`;
}
