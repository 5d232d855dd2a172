import { ConfigurableModuleBuilder } from '@nestjs/common';
import { type Registry } from 'prom-client';

/** Options of `CacheXPrometheusModule.register()`. */
export interface CacheXPrometheusOptions {
  /** Where the metrics are registered (default: prom-client's default registry). */
  registry?: Registry;
}

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: CACHEX_PROMETHEUS_OPTIONS,
  OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<CacheXPrometheusOptions>().setClassMethodName('register').build();
