/**
 * The zod building blocks of the configuration schema: each one validates a single field and
 * says, in its error, what was given and what is allowed.
 */
import { z } from 'zod';
import { describeValue, listChoices } from './wording.ts';

/** What a text field's interpreter decided: the normalized value, or what is wrong with it. */
export type Interpretation<T> = { readonly value: T } | { readonly problem: string };

/** An integer in `min..max`. */
export function wholeNumber(min: number, max: number) {
  const allowed = `a whole number from ${min} to ${max}`;
  const error = (issue: { input?: unknown }) =>
    issue.input === undefined
      ? `is required (${allowed})`
      : `must be ${allowed}, got ${describeValue(issue.input)}`;
  return z.int({ error }).min(min, { error, abort: true }).max(max, { error, abort: true });
}

/** One of a fixed set of words. */
export function oneOf<const T extends readonly [string, ...string[]]>(choices: T) {
  return z.enum(choices, {
    error: (issue) =>
      issue.input === undefined
        ? `is required (${listChoices(choices)})`
        : `must be ${listChoices(choices)}, got ${describeValue(issue.input)}`,
  });
}

/** `true` or `false`. */
export function flag() {
  return z.boolean({ error: (issue) => `must be true or false, got ${describeValue(issue.input)}` });
}

/**
 * A text value checked and normalized by `interpret`. A number or boolean where text is expected
 * gets a hint to quote it, since YAML typed it.
 */
export function text<T = string>(interpret: (value: string) => Interpretation<T>) {
  return z.string({ error: (issue) => notText(issue.input) }).transform((value, context) => {
    const result = interpret(value);
    if ('problem' in result) {
      context.addIssue({ code: 'custom', message: result.problem, input: value });
      return z.NEVER;
    }
    return result.value;
  });
}

function notText(input: unknown): string {
  if (input === undefined) return 'is required';
  const hint =
    typeof input === 'number' || typeof input === 'boolean' ? ` (quote it to make it text: "${input}")` : '';
  return `must be text, got ${describeValue(input)}${hint}`;
}

/** Text of `min..max` characters, kept as written. */
export function plainText(min: number, max: number) {
  return text((value): Interpretation<string> => {
    if (value.length < min)
      return { problem: min === 1 ? 'must not be empty' : `must be at least ${min} characters` };
    if (value.length > max) return { problem: `must be at most ${max} characters, got ${value.length}` };
    return { value };
  });
}

/** An absolute `http://` or `https://` URL. */
export function httpUrl(value: string): Interpretation<string> {
  const problem = { problem: `must be an http:// or https:// URL, got ${describeValue(value)}` };
  if (!URL.canParse(value)) return problem;
  const url = new URL(value);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return problem;
  return { value };
}

/** Lets a YAML key with no value (`notifiers:` with everything commented out) mean "not set". */
export function emptyMeansUnset<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === null ? undefined : value), schema);
}
