import { describe, expect, it } from 'vitest';
import { redactUrl, redactUrlsInText } from '../../../shared/domain/redaction.ts';

describe('redactUrl', () => {
  it('keeps scheme, host, port and path, as written', () => {
    expect(redactUrl('https://api.example.com:8443/v1/health')).toBe(
      'https://api.example.com:8443/v1/health',
    );
    expect(redactUrl('http://[::1]:8080/health')).toBe('http://[::1]:8080/health');
  });

  it('replaces the whole query, keys included, by ?<redacted>', () => {
    expect(redactUrl('https://h/health?token=SECRETVALUE&v=2')).toBe('https://h/health?<redacted>');
    expect(redactUrl('https://h/health?SECRETVALUE')).toBe('https://h/health?<redacted>');
    expect(redactUrl('https://h/health#SECRETVALUE')).toBe('https://h/health#<redacted>');
  });

  it('drops credentials, even a password holding "@"', () => {
    expect(redactUrl('https://probe:s3cr@t@h/health')).toBe('https://h/health');
    expect(redactUrl('https://probe@h/health')).toBe('https://h/health');
  });

  it('redacts a malformed URL the same way', () => {
    expect(redactUrl('htps//hooks.example.com/x?token=SECRETVALUE')).toBe(
      'htps//hooks.example.com/x?<redacted>',
    );
    expect(redactUrl('api.example.com/health?token=SECRETVALUE')).toBe('api.example.com/health?<redacted>');
    expect(redactUrl('probe:SECRETVALUE@api.example.com/health')).toBe('api.example.com/health');
  });

  it('leaves text that is no URL as it is', () => {
    expect(redactUrl('oncall@example.com')).toBe('oncall@example.com');
    expect(redactUrl('ok?')).toBe('ok?');
    expect(redactUrl('Z0123456789ABC')).toBe('Z0123456789ABC');
  });
});

describe('redactUrlsInText', () => {
  it('redacts every URL of a sentence and keeps the punctuation after it', () => {
    const text = 'FAIL http GET https://h/health?token=SECRETVALUE: status 503 (see http://u:pw@x/y?z=1).';

    expect(redactUrlsInText(text)).toBe(
      'FAIL http GET https://h/health?<redacted>: status 503 (see http://x/y?<redacted>).',
    );
  });

  it('keeps a JSON text valid: a URL ends at a quote or a backslash', () => {
    const json = JSON.stringify({ check: 'http GET https://h/health?token=SECRETVALUE', reason: 'x\ny' });

    const redacted = JSON.parse(redactUrlsInText(json));

    expect(redacted).toEqual({ check: 'http GET https://h/health?<redacted>', reason: 'x\ny' });
  });
});
