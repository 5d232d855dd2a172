import { ConfigurableModuleBuilder } from '@nestjs/common';
import { type CacheXModuleOptions } from './cache-module.options.js';

/** The `forRoot` / `forRootAsync` plumbing of `CacheXModule`, built by Nest. */
export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: CACHEX_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CacheXModuleOptions>({ moduleName: 'CacheX' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();
