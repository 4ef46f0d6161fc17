/** Where a value sits in the configuration document: keys and list indexes from the top. */
export type FieldPath = readonly (string | number)[];

/** A problem at a field, before it is placed in the file (line numbers) and formatted. */
export interface FieldIssue {
  readonly path: FieldPath;
  readonly message: string;
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/**
 * Formats a path the way the user wrote the YAML: `services[1].primary.checks[0].http.url`.
 * Keys that are not plain names are quoted: `headers["x.y"]`.
 */
export function formatFieldPath(path: FieldPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (!PLAIN_KEY.test(segment)) text += `[${JSON.stringify(segment)}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text;
}
