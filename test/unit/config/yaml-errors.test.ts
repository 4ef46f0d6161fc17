import { describe, expect, it } from 'vitest';
import { MAX_ALIAS_COUNT } from '../../../shared/config/index.ts';
import { configErrorFrom, FILE, parse } from './sample-config.ts';

describe('YAML errors', () => {
  it('gives the line and column of a syntax error', () => {
    const error = configErrorFrom(() =>
      parse('services:\n  - name: payments-api\n    checks: [unclosed\n  - name: x\n'),
    );

    expect(error.message.split('\n')[0]).toBe(`Invalid YAML in ${FILE}:`);
    expect(error.issues[0]).toMatchObject({ line: 4, column: 3 });
    expect(error.message).toMatch(/\n {2}- line 4, column 3: /);
  });

  it('refuses a key written twice in the same mapping', () => {
    const error = configErrorFrom(() => parse('services:\n  - name: payments-api\n    name: ledger-api\n'));

    expect(error.issues).toEqual([
      {
        path: '',
        message: 'Map keys must be unique; the line reads: name: ledger-api',
        line: 3,
        column: 5,
      },
    ]);
  });

  it('refuses tags it does not know, such as CloudFormation intrinsics', () => {
    const error = configErrorFrom(() => parse('services: !Ref Services\n'));

    expect(error.issues[0]?.message).toMatch(/^Unresolved tag: !Ref/);
    expect(error.issues[0]?.line).toBe(1);
  });

  it('refuses an alias bomb quickly instead of expanding it', () => {
    // Prepare: nine levels of nine aliases each would expand to 9^9 (387 million) strings
    const levels = 'bcdefghij'.split('');
    const lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    levels.forEach((name, index) => {
      const previous = index === 0 ? 'a' : levels[index - 1];
      lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
    });
    lines.push('services: *j');
    const started = performance.now();

    // Act
    const error = configErrorFrom(() => parse(lines.join('\n')));

    // Assess
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.issues[0]?.message).toBe(
      `the aliases (*name) expand to more than ${MAX_ALIAS_COUNT} values, as a YAML "alias bomb" does; write repeated values out or nest fewer aliases`,
    );
  });

  it('allows anchors, aliases and merge keys for shared settings', () => {
    const text = `
services:
  - name: payments-api
    hostedZoneId: Z0123456789ABC
    recordName: api.example.com
    recordType: CNAME
    primary: { setIdentifier: primary, checks: [{ http: &check { url: https://a.example.com/, timeoutMs: 2000 } }] }
    secondary: { setIdentifier: standby, checks: [{ http: { <<: *check, url: https://b.example.com/ } }] }
`;

    const config = parse(text);

    expect(config.services[0]?.targets[1]?.checks[0]).toMatchObject({
      url: 'https://b.example.com/',
      timeoutMs: 2000,
    });
  });

  it('refuses a file larger than 1 MiB before parsing it', () => {
    const text = `# ${'x'.repeat(1024 * 1024)}\nservices: []\n`;

    const error = configErrorFrom(() => parse(text));

    expect(error.issues).toEqual([
      { path: '', message: `the file is ${text.length} bytes; a configuration file may be at most 1 MiB` },
    ]);
  });
});
