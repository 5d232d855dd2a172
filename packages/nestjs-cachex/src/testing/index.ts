/**
 * `nestjs-cachex/testing`: the `CacheBackend` conformance suite, for backend
 * authors to run in their own Jest tests. Needs Jest (`@jest/globals`, an
 * optional peer dependency); the root entry `nestjs-cachex` never loads it.
 */
export { describeBackendConformance } from './backend-conformance.js';
export type { BackendFactory, BackendFactoryOptions } from './backend-conformance.js';
export type { BackendCapabilities } from './conformance.capabilities.js';
