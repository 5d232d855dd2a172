export { CacheXHealthIndicator } from './cachex.health-indicator.js';
