import fc from 'fast-check';
import { hostileText } from '../../../../test/support/hostile-text.js';
import { isNotModified } from './conditional.js';
import { ifNoneMatchMatches } from './etag.js';

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

/** Hostile text (see `hostileText`) with the pieces that structure the headers. */
const hostile = hostileText(
  ['"', 'W/', ',', ' ', '*', 'GMT', 'Wed', '21', 'Oct', ':', '-', '9999'],
  { structureMaxLength: 12 },
);

describe('isNotModified properties', () => {
  const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
  const two = (n: number) => String(n).padStart(2, '0');
  const time = (d: Date) =>
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  /** The three forms of an HTTP-date (RFC 9110 §5.6.7), all in GMT. */
  const imfFixdate = (d: Date) => d.toUTCString();
  const rfc850 = (d: Date) =>
    `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${two(d.getUTCFullYear() % 100)} ${time(d)} GMT`;
  const asctime = (d: Date) =>
    `${DAYS[d.getUTCDay()]!.slice(0, 3)} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${time(d)} ${d.getUTCFullYear()}`;

  const date = (min: string, max: string) =>
    fc.date({ min: new Date(min), max: new Date(max), noInvalidDate: true });
  /** A moment and one a few seconds around it, so that both answers come up. */
  const nearby = (min: string, max: string) =>
    date(min, max).chain((d) =>
      fc.tuple(
        fc.constant(d),
        fc.integer({ min: -3000, max: 3000 }).map((ms) => new Date(d.getTime() + ms)),
      ),
    );
  const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

  const etag = fc
    .tuple(fc.boolean(), fc.stringMatching(/^[a-z0-9-]{0,8}$/))
    .map(([weak, text]) => `${weak ? 'W/' : ''}"${text}"`);
  const validators = fc.record(
    {
      etag: fc.oneof(etag, hostile),
      lastModified: fc.oneof(date('1970-01-01', '9999-12-31').map(imfFixdate), hostile),
    },
    { requiredKeys: [] },
  );
  const conditions = fc.record(
    {
      ifNoneMatch: fc.oneof(etag, hostile),
      ifModifiedSince: fc.oneof(date('1970-01-01', '9999-12-31').map(imfFixdate), hostile),
    },
    { requiredKeys: [] },
  );

  it('never throws, whatever the request and the stored validators hold', () => {
    fc.assert(
      fc.property(conditions, validators, (c, v) => {
        expect(typeof isNotModified(c, v)).toBe('boolean');
      }),
    );
  });

  it('If-None-Match decides alone when present, whatever If-Modified-Since says', () => {
    fc.assert(
      fc.property(conditions, validators, fc.oneof(etag, hostile), (c, v, ifNoneMatch) => {
        const expected = v.etag !== undefined && ifNoneMatchMatches(ifNoneMatch, v.etag);
        expect(isNotModified({ ...c, ifNoneMatch }, v)).toBe(expected);
      }),
    );
  });

  it('a matching If-None-Match gives 304 and another none, wherever If-Modified-Since points', () => {
    fc.assert(
      fc.property(etag, nearby('1971-01-01', '9000-01-01'), (tag, [modified, since]) => {
        const v = { etag: tag, lastModified: imfFixdate(modified) };
        const ifModifiedSince = imfFixdate(since);
        expect(isNotModified({ ifNoneMatch: tag, ifModifiedSince }, v)).toBe(true);
        expect(
          isNotModified({ ifNoneMatch: `"x${tag.replaceAll('"', '')}x"`, ifModifiedSince }, v),
        ).toBe(false);
      }),
    );
  });

  it('If-Modified-Since gives 304 exactly when Last-Modified is not later, to the second', () => {
    fc.assert(
      fc.property(nearby('1970-01-01', '9999-12-31'), ([modified, since]) => {
        expect(
          isNotModified(
            { ifModifiedSince: imfFixdate(since) },
            { lastModified: imfFixdate(modified) },
          ),
        ).toBe(seconds(modified) <= seconds(since));
      }),
    );
  });

  it('reads the obsolete rfc850 form of If-Modified-Since as the IMF-fixdate one', () => {
    // Two-digit years: 2000-2049 read alike by every rule (RFC 9110 §5.6.7's 50-year window).
    fc.assert(
      fc.property(nearby('2000-01-02', '2049-12-30'), ([modified, since]) => {
        const lastModified = imfFixdate(modified);
        expect(isNotModified({ ifModifiedSince: rfc850(since) }, { lastModified })).toBe(
          isNotModified({ ifModifiedSince: imfFixdate(since) }, { lastModified }),
        );
      }),
    );
  });

  it('never gives 304 from If-Modified-Since without a Last-Modified, or from nothing', () => {
    fc.assert(
      fc.property(conditions, fc.option(etag, { nil: undefined }), (c, tag) => {
        expect(isNotModified({ ifModifiedSince: c.ifModifiedSince }, { etag: tag })).toBe(false);
        expect(isNotModified({}, { etag: tag, lastModified: imfFixdate(new Date()) })).toBe(false);
      }),
    );
  });

  /** What an HTTP-date looks like; anything else must be ignored (RFC 9110 §13.1.3). */
  const HTTP_DATE =
    /^(?:[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT|[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;
  const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';

  // Regression: `Date.parse` took far more than HTTP-dates ("garbage 9999",
  // "3000", "2099-01-01", a "PST" zone) and read asctime-date in the server's
  // local time zone, so an invalid If-Modified-Since could answer 304.
  it('ignores an If-Modified-Since that is not an HTTP-date, and reads asctime as GMT', () => {
    const notADate = fc.oneof(
      hostile,
      fc
        .tuple(hostile, fc.integer({ min: 1971, max: 9999 }))
        .map(([junk, year]) => `${junk.replace(/\d/g, '')} ${year}`),
      date('1971-01-01', '9999-12-31').map((d) => d.toISOString()),
      date('1971-01-01', '9999-12-31').map((d) => imfFixdate(d).replace('GMT', 'PST')),
    );
    fc.assert(
      fc.property(notADate, (ifModifiedSince) => {
        fc.pre(!HTTP_DATE.test(ifModifiedSince));
        expect(isNotModified({ ifModifiedSince }, { lastModified: EPOCH })).toBe(false);
      }),
      { examples: [['garbage 9999'], ['3000'], ['2099-01-01']] },
    );
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      fc.assert(
        fc.property(nearby('1971-01-01', '9000-01-01'), ([modified, since]) => {
          expect(
            isNotModified(
              { ifModifiedSince: asctime(since) },
              { lastModified: imfFixdate(modified) },
            ),
          ).toBe(seconds(modified) <= seconds(since));
        }),
      );
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});
