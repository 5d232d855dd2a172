const transparent = new WeakSet<object>();

/**
 * Declares an interceptor (its class, exactly, or one instance) to do nothing
 * a cached answer would miss: a request it would only pass through may be
 * answered before Nest's pipeline runs. Internal to the package: it marks
 * `CacheInterceptor` and `SessionInterceptor`, whose work is done by the
 * early answer itself or needs a session the request does not carry.
 */
export function markTransparentOnHit(interceptor: object): void {
  transparent.add(interceptor);
}

/**
 * Whether an interceptor, as Nest keeps it (a class or an instance), was
 * marked. A subclass is not: it may have changed what the interceptor does.
 */
export function isTransparentOnHit(interceptor: unknown): boolean {
  if (typeof interceptor === 'function') return transparent.has(interceptor);
  if (typeof interceptor !== 'object' || interceptor === null) return false;
  return transparent.has(interceptor) || transparent.has(interceptor.constructor);
}
