import { describe, expect, it } from 'vitest';
import { compareAscii, isWithinZone, normalizeName, reversedNameKey } from '../../../local/route53/names.ts';

describe('normalizeName', () => {
  it('lowercases and adds exactly one trailing dot', () => {
    expect(normalizeName('API.Example.COM')).toBe('api.example.com.');
    expect(normalizeName('api.example.com.')).toBe('api.example.com.');
  });

  it('stores characters other than a-z, 0-9, - and _ as octal escapes, and reads escapes back', () => {
    expect(normalizeName('*.example.com')).toBe('\\052.example.com.');
    expect(normalizeName('\\052.Example.com.')).toBe('\\052.example.com.');
    expect(normalizeName('_dmarc.my-site.example.com')).toBe('_dmarc.my-site.example.com.');
  });

  it('refuses an empty label, a label over 63 characters and a name over 255 octets', () => {
    expect(() => normalizeName('a..example.com')).toThrow('empty label');
    expect(() => normalizeName(`${'a'.repeat(64)}.example.com`)).toThrow('label longer than 63');
    expect(() => normalizeName(`${Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.')}.com`)).toThrow(
      'longer than 255',
    );
  });
});

describe('reversedNameKey', () => {
  it('sorts names by their labels reversed, so a zone apex comes before its children', () => {
    const names = ['www.example.com.', 'example.com.', 'a.example.org.', 'api.example.com.'];

    const sorted = [...names].sort((x, y) => compareAscii(reversedNameKey(x), reversedNameKey(y)));

    expect(sorted).toEqual(['example.com.', 'api.example.com.', 'www.example.com.', 'a.example.org.']);
  });

  it('puts a label with a hyphen before the shorter label it extends, as the documented ASCII order does', () => {
    expect(compareAscii(reversedNameKey('a-b.example.com.'), reversedNameKey('a.example.com.'))).toBe(-1);
    expect(reversedNameKey('www.example.com.')).toBe('com.example.www.');
  });
});

describe('isWithinZone', () => {
  it('accepts the apex and names below it, and refuses a name that only ends with the same letters', () => {
    expect(isWithinZone('example.com.', 'example.com.')).toBe(true);
    expect(isWithinZone('a.b.example.com.', 'example.com.')).toBe(true);
    expect(isWithinZone('notexample.com.', 'example.com.')).toBe(false);
  });
});
