import { describe, expect, it } from 'vitest';
import { checkLabel } from '../../../shared/probes/check-label.ts';
import { alarmCheck, httpCheck, tcpCheck } from '../../support/probe-checks.ts';

describe('checkLabel', () => {
  it('names each kind of check briefly', () => {
    expect(checkLabel(httpCheck('https://h/health'))).toBe('http GET https://h/health');
    expect(checkLabel(httpCheck('https://h/health', { method: 'HEAD' }))).toBe('http HEAD https://h/health');
    expect(checkLabel(tcpCheck('db.internal', 5432))).toBe('tcp db.internal:5432');
    expect(checkLabel(tcpCheck('::1', 5432))).toBe('tcp [::1]:5432');
    expect(checkLabel(alarmCheck('payments-5xx'))).toBe('alarm payments-5xx');
  });

  it('never shows credentials from a URL', () => {
    expect(checkLabel(httpCheck('https://probe:s3cret@h/health'))).toBe('http GET https://h/health');
  });

  it('shows a query string as ?<redacted>, keys and all', () => {
    expect(checkLabel(httpCheck('https://h/health?token=SECRETVALUE&region=eu'))).toBe(
      'http GET https://h/health?<redacted>',
    );
    expect(checkLabel(httpCheck('https://probe:pw@h:8443/health?SECRETVALUE'))).toBe(
      'http GET https://h:8443/health?<redacted>',
    );
  });
});
