import { type Provider } from '@nestjs/common';
import { CacheBackend } from '../backends/cache-backend.js';
import { CacheXConfigError } from '../common/errors.js';

/**
 * The DI token of a named cache (`CacheXModule.forRoot({ caches })`), or of
 * the module's backend without a name: for `overrideProvider` in tests.
 *
 * @example
 * Test.createTestingModule({ ... }).overrideProvider(getCacheToken('hot')).useValue(fake)
 */
export function getCacheToken(name?: string): string | typeof CacheBackend {
  return name === undefined ? CacheBackend : `CacheXCache:${name}`;
}

/** The providers of the named caches' tokens, for the module to declare and export. */
export function namedCacheProviders(names: readonly string[]): Provider[] {
  return names.map((name) => ({
    provide: getCacheToken(name),
    useFactory: (caches: NamedCaches) => caches.backend(name),
    inject: [NamedCaches],
  }));
}

/**
 * The backends of the app's response cache (provided by the module): the
 * module's own, and those of `CacheXModule.forRoot({ caches })` by name.
 */
export class NamedCaches {
  private readonly caches: ReadonlyMap<string, CacheBackend>;

  /** @param moduleBackend the module's `CacheBackend`, for routes that name no cache */
  constructor(
    private readonly moduleBackend: CacheBackend,
    caches: Record<string, CacheBackend> = {},
  ) {
    for (const [name, backend] of Object.entries(caches)) {
      if (!(backend instanceof CacheBackend)) {
        throw new CacheXConfigError(`CacheXModule: \`caches.${name}\` must be a CacheBackend`);
      }
    }
    this.caches = new Map(Object.entries(caches));
  }

  /** The backend named `name`; `CacheXConfigError` when `caches` has none by that name. */
  backend(name: string): CacheBackend {
    const backend = this.caches.get(name);
    if (backend) return backend;
    throw new CacheXConfigError(
      `There is no cache named "${name}": add it to CacheXModule.forRoot({ caches: { ${JSON.stringify(name)}: backend } })`,
    );
  }

  /** Every named backend. */
  all(): CacheBackend[] {
    return [...this.caches.values()];
  }

  /**
   * The module's backend, then every named one: each backend an HTTP entry
   * of the app may live in, so each one a write invalidates, `@CacheEvict()`
   * reaches and shutdown closes.
   */
  everyBackend(): CacheBackend[] {
    return [this.moduleBackend, ...this.all()];
  }
}
