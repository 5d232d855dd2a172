import {
  codedETag,
  isCompressibleType,
  negotiateCoding,
  varyOnAcceptEncoding,
} from './content-coding.js';

describe('negotiateCoding', () => {
  const stored = ['br', 'gzip'];

  it.each([
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br', 'br'],
    ['gzip;q=1, br;q=0.5', 'gzip'],
    ['br;q=0.2, gzip;q=0.8', 'gzip'],
    ['*', 'br'],
    ['*, br;q=0', 'gzip'],
    ['gzip;q=0, *', 'br'],
    ['gzip;q=0, br;q=0', undefined],
    ['identity', undefined],
    ['deflate', undefined],
    ['identity;q=1, gzip;q=0.5', undefined],
    ['GZIP', 'gzip'],
    ['', undefined],
    ['identity;q=0, *;q=0', undefined],
    ['garbage;;;, ,', undefined],
  ])('Accept-Encoding %j gets %s', (header, coding) => {
    expect(negotiateCoding(header, stored)).toBe(coding);
  });

  it('answers identity without the header, or when nothing is stored encoded', () => {
    expect(negotiateCoding(undefined, stored)).toBeUndefined();
    expect(negotiateCoding('gzip, br', [])).toBeUndefined();
  });

  it('answers a long header, which it does not remember, as a short one', () => {
    const long = `${'x-unknown;q=0.1, '.repeat(20)}gzip;q=0.5, br;q=0.4`;
    expect(long.length).toBeGreaterThan(200);
    expect(negotiateCoding(long, stored)).toBe('gzip');
    expect(negotiateCoding(long, stored)).toBe('gzip');
  });

  it('remembers per set of stored codings', () => {
    expect(negotiateCoding('gzip', ['br', 'gzip'])).toBe('gzip');
    expect(negotiateCoding('gzip', ['br'])).toBeUndefined();
  });

  it('breaks ties by the order the codings are stored in', () => {
    expect(negotiateCoding('gzip, br', ['gzip', 'br'])).toBe('gzip');
    expect(negotiateCoding('br, gzip', ['gzip', 'br'])).toBe('gzip');
  });
});

describe('isCompressibleType', () => {
  it.each([
    'text/html; charset=utf-8',
    'text/plain',
    'TEXT/CSS',
    'application/json; charset=utf-8',
    'application/problem+json',
    'application/javascript',
    'application/xml',
    'application/atom+xml',
    'image/svg+xml',
  ])('compresses %s', (type) => expect(isCompressibleType(type)).toBe(true));

  it.each([
    undefined,
    '',
    'image/png',
    'application/octet-stream',
    'application/zip',
    'font/woff2',
    'video/mp4',
    'application/jsonx',
  ])('leaves %s alone', (type) => expect(isCompressibleType(type)).toBe(false));
});

describe('codedETag', () => {
  it('gives each coding a tag of its own, weakness kept', () => {
    expect(codedETag('"5-abc"', 'br')).toBe('"5-abc-br"');
    expect(codedETag('W/"v1"', 'gzip')).toBe('W/"v1-gzip"');
    expect(codedETag('"5-abc"', 'gzip')).not.toBe(codedETag('"5-abc"', 'br'));
  });
});

describe('varyOnAcceptEncoding', () => {
  it('adds Accept-Encoding to the route’s Vary once', () => {
    expect(varyOnAcceptEncoding(undefined)).toBe('accept-encoding');
    expect(varyOnAcceptEncoding('accept-language')).toBe('accept-language, accept-encoding');
    expect(varyOnAcceptEncoding('Accept-Encoding, x-tenant')).toBe('Accept-Encoding, x-tenant');
    expect(varyOnAcceptEncoding('*')).toBe('*');
  });
});
