/**
 * Parses a `Cookie` header (RFC 6265 §5.4 as browsers send it): `name=value`
 * pairs split on `;`, optional double quotes removed, percent-decoding when it
 * is valid. The first occurrence of a name wins (the most specific path, as
 * browsers order them).
 */
export function parseCookies(header: string): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (name === '' || cookies.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1);
    if (value.includes('%')) {
      try {
        value = decodeURIComponent(value);
      } catch {
        // Not valid percent-encoding: keep the raw value.
      }
    }
    cookies.set(name, value);
  }
  return cookies;
}
