/**
 * Jest's globals, imported from `@jest/globals` so the suite works in ESM and
 * CommonJS Jest alike and needs no ambient Jest types. A namespace import, so
 * that loading this entry point outside Jest fails with Jest's own message
 * ("Do not import `@jest/globals` outside of the Jest test environment")
 * rather than a missing named export.
 */
import * as jestGlobals from '@jest/globals';

export const afterAll: typeof jestGlobals.afterAll = jestGlobals.afterAll;
export const beforeAll: typeof jestGlobals.beforeAll = jestGlobals.beforeAll;
export const beforeEach: typeof jestGlobals.beforeEach = jestGlobals.beforeEach;
export const describe: typeof jestGlobals.describe = jestGlobals.describe;
export const expect: typeof jestGlobals.expect = jestGlobals.expect;
export const it: typeof jestGlobals.it = jestGlobals.it;
