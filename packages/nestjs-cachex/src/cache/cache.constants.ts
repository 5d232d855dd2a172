/** DI token of the module options with defaults filled in (`ResolvedCacheXOptions`). */
export const RESOLVED_CACHEX_OPTIONS = Symbol('CACHEX_RESOLVED_OPTIONS');
