export { CacheXPrometheusModule } from './prometheus.module.js';
export type { CacheXPrometheusOptions } from './prometheus.module-definition.js';
