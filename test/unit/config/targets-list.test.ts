/**
 * A service's targets as a `targets:` list in preference order (issue #19), beside the
 * `primary:`/`secondary:` form it generalizes: both load as the one list the controller reads.
 */
import { describe, expect, it } from 'vitest';
import { targetOrder } from '../../../shared/domain/config.ts';
import { aService, configErrorFrom, FILE, parse, pathsAndMessages, problemsIn } from './sample-config.ts';

const tcp = (host: string) => [{ tcp: { host, port: 443 } }];
const aTarget = (id: string, setIdentifier = id) => ({ id, setIdentifier, checks: tcp(`${id}.example.com`) });
/** A valid service written with a `targets:` list instead of `primary:`/`secondary:`. */
const listed = (targets: unknown) => {
  const { primary: _primary, secondary: _secondary, ...rest } = aService('payments-api');
  return { ...rest, targets };
};

describe('a targets list', () => {
  it('loads three targets in the order written, with their set identifiers and checks', () => {
    const config = parse({
      services: [listed([aTarget('eu-west'), aTarget('us-east', 'us-east-1'), aTarget('ap-south')])],
    });

    const [service] = config.services;

    expect(service && targetOrder(service)).toEqual(['eu-west', 'us-east', 'ap-south']);
    expect(service?.targets.map((target) => target.setIdentifier)).toEqual([
      'eu-west',
      'us-east-1',
      'ap-south',
    ]);
    expect(service?.targets[2]?.checks).toEqual([
      { kind: 'tcp', host: 'ap-south.example.com', port: 443, timeoutMs: 3000 },
    ]);
  });

  it('loads primary and secondary as the list of those two targets, primary first', () => {
    const config = parse({ services: [aService('payments-api')] });

    expect(config.services[0]?.targets.map(({ id, setIdentifier }) => ({ id, setIdentifier }))).toEqual([
      { id: 'primary', setIdentifier: 'primary' },
      { id: 'secondary', setIdentifier: 'secondary' },
    ]);
  });

  it('refuses primary and secondary beside a targets list, naming the file, field and line', () => {
    const text = `services:
  - name: payments-api
    hostedZoneId: Z0123456789ABC
    recordName: api.example.com
    recordType: CNAME
    primary: { setIdentifier: primary, checks: [{ tcp: { host: p.example.com, port: 443 } }] }
    secondary: { setIdentifier: secondary, checks: [{ tcp: { host: s.example.com, port: 443 } }] }
    targets:
      - { id: eu-west, setIdentifier: eu-west, checks: [{ tcp: { host: e.example.com, port: 443 } }] }
      - { id: us-east, setIdentifier: us-east, checks: [{ tcp: { host: u.example.com, port: 443 } }] }
`;

    const error = configErrorFrom(() => parse(text));

    expect(error.file).toBe(FILE);
    expect(error.issues.map(({ path, message, line }) => ({ path, message, line }))).toEqual([
      {
        path: 'services[0].targets',
        message: 'give either primary and secondary, or a targets list, not both',
        line: 8,
      },
    ]);
    expect(error.message).toContain(FILE);
  });

  it('refuses a list of one target, saying at least two are needed', () => {
    const issues = problemsIn({ services: [listed([aTarget('eu-west')])] });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].targets: must list at least two targets: where traffic belongs and where it goes instead',
    ]);
  });

  it('refuses the same id twice, naming the entry it repeats', () => {
    const issues = problemsIn({
      services: [listed([aTarget('eu-west'), aTarget('us-east'), aTarget('eu-west', 'eu-west-2')])],
    });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].targets[2].id: "eu-west" is already the id of targets[0]; ids must differ',
    ]);
  });

  it('refuses the same set identifier on two targets, naming the line of the second', () => {
    const text = `services:
  - name: payments-api
    hostedZoneId: Z0123456789ABC
    recordName: api.example.com
    recordType: CNAME
    targets:
      - { id: eu-west, setIdentifier: blue, checks: [{ tcp: { host: e.example.com, port: 443 } }] }
      - { id: us-east, setIdentifier: green, checks: [{ tcp: { host: u.example.com, port: 443 } }] }
      - { id: ap-south, setIdentifier: blue, checks: [{ tcp: { host: a.example.com, port: 443 } }] }
`;

    const error = configErrorFrom(() => parse(text));

    expect(error.issues.map(({ path, message, line }) => ({ path, message, line }))).toEqual([
      {
        path: 'services[0].targets[2].setIdentifier',
        message: '"blue" is also targets[0].setIdentifier; each weighted record needs its own set identifier',
        line: 9,
      },
    ]);
  });

  it('refuses an id that cannot name a target, saying what an id may be', () => {
    const issues = problemsIn({
      services: [listed([aTarget('eu-west'), { ...aTarget('us-east'), id: 'US East' }])],
    });

    expect(pathsAndMessages(issues)).toEqual([
      'services[0].targets[1].id: must be 1 to 32 lowercase letters, digits and "-", starting with a letter, not "constructor" or "prototype" (it names the target in state, metrics and notifications), got "US East"',
    ]);
  });
});
