import { ifNoneMatchMatches } from './etag.js';

/** The validators of a stored or fresh response. */
export interface Validators {
  etag?: string;
  /** An HTTP-date. */
  lastModified?: string;
}

/**
 * Whether a GET/HEAD with these conditional headers is answered `304 Not
 * Modified` (RFC 9110 §13.2.2): `If-None-Match` decides when present;
 * `If-Modified-Since` only without it. An unparseable date is ignored.
 */
export function isNotModified(
  conditions: { ifNoneMatch?: string; ifModifiedSince?: string },
  validators: Validators,
): boolean {
  if (conditions.ifNoneMatch !== undefined) {
    return (
      validators.etag !== undefined && ifNoneMatchMatches(conditions.ifNoneMatch, validators.etag)
    );
  }
  if (conditions.ifModifiedSince === undefined || validators.lastModified === undefined) {
    return false;
  }
  const since = parseHttpDate(conditions.ifModifiedSince);
  const modified = parseHttpDate(validators.lastModified);
  return !Number.isNaN(since) && !Number.isNaN(modified) && modified <= since;
}

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
/** The three forms of an HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, rfc850-date, asctime-date. */
const HTTP_DATE_FORMS = [
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (?<d>\d{2}) (?<mon>[A-Z][a-z]{2}) (?<y>\d{4}) (?<h>\d{2}):(?<m>\d{2}):(?<s>\d{2}) GMT$/,
  /^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (?<d>\d{2})-(?<mon>[A-Z][a-z]{2})-(?<y>\d{2}) (?<h>\d{2}):(?<m>\d{2}):(?<s>\d{2}) GMT$/,
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?<mon>[A-Z][a-z]{2}) (?<d>[ \d]\d) (?<h>\d{2}):(?<m>\d{2}):(?<s>\d{2}) (?<y>\d{4})$/,
];

/**
 * An HTTP-date as epoch ms, or `NaN` for anything else (RFC 9110 §13.1.3: an
 * invalid date is ignored). Unlike `Date.parse`, which takes `garbage 9999`
 * or `3000` and reads asctime-date in the server's time zone, every form is GMT.
 */
export function parseHttpDate(value: string): number {
  for (const form of HTTP_DATE_FORMS) {
    const fields = form.exec(value)?.groups;
    if (fields === undefined) continue;
    const month = MONTHS.indexOf(fields['mon']!) / 3;
    let year = Number(fields['y']);
    if (fields['y']!.length === 2) {
      // A two-digit year more than 50 years ahead is the last such year in the past.
      const now = new Date().getUTCFullYear();
      year += Math.floor(now / 100) * 100;
      if (year > now + 50) year -= 100;
    }
    const [day, hours, minutes, seconds] = [fields['d'], fields['h'], fields['m'], fields['s']].map(
      Number,
    ) as [number, number, number, number];
    const date = new Date(0);
    date.setUTCFullYear(year, month, day);
    date.setUTCHours(hours, minutes, seconds);
    // Out-of-range fields (31 Feb, 24:00) roll over: refuse them.
    const exact =
      Number.isInteger(month) &&
      date.getUTCDate() === day &&
      date.getUTCHours() === hours &&
      date.getUTCMinutes() === minutes &&
      date.getUTCSeconds() === seconds;
    return exact ? date.getTime() : Number.NaN;
  }
  return Number.NaN;
}
