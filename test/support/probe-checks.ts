/** Check configs with the loader's defaults, so each test states only what it is about. */
import type {
  CloudWatchAlarmCheck,
  HttpCheck,
  ServiceConfig,
  TargetConfig,
  TcpCheck,
} from '../../shared/domain/config.ts';

export function httpCheck(url: string, overrides: Partial<Omit<HttpCheck, 'kind' | 'url'>> = {}): HttpCheck {
  return {
    kind: 'http',
    url,
    method: 'GET',
    headers: {},
    expectStatus: [{ min: 200, max: 299 }],
    timeoutMs: 3000,
    insecureSkipVerify: false,
    ...overrides,
  };
}

export function tcpCheck(host: string, port: number, timeoutMs = 3000): TcpCheck {
  return { kind: 'tcp', host, port, timeoutMs };
}

export function alarmCheck(alarmName: string, timeoutMs = 3000): CloudWatchAlarmCheck {
  return { kind: 'cloudwatch-alarm', alarmName, timeoutMs };
}

/** A service whose targets carry the given checks; the rest are plausible defaults. */
export function serviceWith(
  name: string,
  primary: TargetConfig['checks'],
  secondary: TargetConfig['checks'],
): ServiceConfig {
  return {
    name,
    hostedZoneId: 'Z0123456789ABC',
    recordName: `${name}.example.com.`,
    recordType: 'CNAME',
    activeWeight: 100,
    targets: [
      { id: 'primary', setIdentifier: 'primary', checks: primary },
      { id: 'secondary', setIdentifier: 'secondary', checks: secondary },
    ],
    notify: [],
    policy: {
      probeIntervalSeconds: 10,
      failureThreshold: 3,
      recoveryThreshold: 6,
      minDwellSeconds: 600,
      failback: 'manual',
      maxAutoFailbacksPerHour: 2,
    },
    metrics: 'basic',
    dataPlane: { mode: 'off', deadlineSeconds: 30 },
  };
}
