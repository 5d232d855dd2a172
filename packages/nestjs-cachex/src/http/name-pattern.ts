/**
 * A test for names against a list of patterns: a string is an exact name, or
 * a prefix when it ends in `*` (`utm_*`); a RegExp is tested as it is. Used
 * for `ignoreCookies` and `ignoreQueryParams`.
 */
export function nameMatcher(patterns: ReadonlyArray<string | RegExp>): (name: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const regexps: RegExp[] = [];
  for (const pattern of patterns) {
    if (pattern instanceof RegExp) regexps.push(pattern);
    else if (pattern.endsWith('*')) prefixes.push(pattern.slice(0, -1));
    else exact.add(pattern);
  }
  if (patterns.length === 0) return () => false;
  return (name) =>
    exact.has(name) ||
    prefixes.some((prefix) => name.startsWith(prefix)) ||
    regexps.some((regexp) => {
      regexp.lastIndex = 0;
      return regexp.test(name);
    });
}
