import { ConfigurableModuleBuilder } from '@nestjs/common';
import { type CacheXModuleOptions } from './cache-module.options.js';
import { getCacheToken, namedCacheProviders } from './named-caches.js';

/** The `forRoot` / `forRootAsync` plumbing of `CacheXModule`, built by Nest. */
export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: CACHEX_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CacheXModuleOptions>({ moduleName: 'CacheX' })
  .setClassMethodName('forRoot')
  // `cacheNames`: the named caches to provide tokens for (`forRoot` lists its `caches`).
  .setExtras({ isGlobal: true, cacheNames: [] as string[] }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
    providers: [...(definition.providers ?? []), ...namedCacheProviders(extras.cacheNames)],
    exports: [
      ...(definition.exports ?? []),
      ...extras.cacheNames.map((name) => getCacheToken(name)),
    ],
  }))
  .build();
