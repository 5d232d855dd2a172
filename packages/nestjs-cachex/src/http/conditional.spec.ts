import { isNotModified } from './conditional.js';

const lastModified = 'Wed, 21 Oct 2015 07:28:00 GMT';
const validators = { etag: '"v1"', lastModified };

describe('isNotModified', () => {
  it('uses If-None-Match when present', () => {
    expect(isNotModified({ ifNoneMatch: '"v1"' }, validators)).toBe(true);
    expect(isNotModified({ ifNoneMatch: '"v2"' }, validators)).toBe(false);
  });

  it('ignores If-Modified-Since when If-None-Match is present (RFC 9110 §13.2.2)', () => {
    expect(
      isNotModified(
        { ifNoneMatch: '"v2"', ifModifiedSince: 'Wed, 21 Oct 2099 07:28:00 GMT' },
        validators,
      ),
    ).toBe(false);
  });

  it('compares If-Modified-Since with Last-Modified', () => {
    expect(isNotModified({ ifModifiedSince: lastModified }, validators)).toBe(true);
    expect(isNotModified({ ifModifiedSince: 'Wed, 21 Oct 2015 07:27:59 GMT' }, validators)).toBe(
      false,
    );
    expect(isNotModified({ ifModifiedSince: 'yesterday' }, validators)).toBe(false);
    expect(isNotModified({ ifModifiedSince: lastModified }, { etag: '"v1"' })).toBe(false);
  });

  it('is false without conditions', () => {
    expect(isNotModified({}, validators)).toBe(false);
  });
});
