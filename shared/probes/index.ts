/** Health probes (HTTP, TCP, CloudWatch alarm) and the bounded-concurrency `Prober` built on them. */
export { DESCRIBE_ALARMS_MAX_NAMES, probeAlarms } from './alarm-probe.ts';
export { checkLabel } from './check-label.ts';
export { ProberSetupError } from './errors.ts';
export {
  hasSecretHeaders,
  type ReadHeaders,
  readSecretHeaders,
  type SecretLookup,
} from './header-secrets.ts';
export { type HttpProbeOptions, probeHttp } from './http-probe.ts';
export { BODY_READ_LIMIT_BYTES, judgeHttpResponse } from './http-verdict.ts';
export { createProber, DEFAULT_PROBE_CONCURRENCY, type ProberOptions } from './prober.ts';
export { formatStatusRanges } from './status-ranges.ts';
export { probeTcp } from './tcp-probe.ts';
export { createTrustStore } from './trust-store.ts';
