import { ConfigurableModuleBuilder } from '@nestjs/common';

import { type SessionModuleOptions } from './session-options.js';

/**
 * `SessionModule.forRoot()` / `forRootAsync()`, built by Nest's
 * `ConfigurableModuleBuilder`. `isGlobal` (default `true`) is an extra, so it
 * never reaches the injected options.
 */
export const {
  ConfigurableModuleClass: ConfigurableSessionModule,
  MODULE_OPTIONS_TOKEN: SESSION_MODULE_OPTIONS,
  OPTIONS_TYPE: SESSION_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: SESSION_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<SessionModuleOptions>({ moduleName: 'Session' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

/** Options of `SessionModule.forRoot()`: `SessionModuleOptions` plus `isGlobal`. */
export type SessionModuleForRootOptions = typeof SESSION_OPTIONS_TYPE;
/** Options of `SessionModule.forRootAsync()`: `imports`, `inject`, `useFactory` / `useClass` / `useExisting`, `isGlobal`. */
export type SessionModuleAsyncOptions = typeof SESSION_ASYNC_OPTIONS_TYPE;
