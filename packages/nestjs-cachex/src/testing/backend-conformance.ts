import { randomUUID } from 'node:crypto';
import { type CacheBackend, type KeyValueStore } from '../backends/cache-backend.js';
import { type BackendCapabilities, resolveCapabilities } from './conformance.capabilities.js';
import { type ConformanceContext } from './conformance.kit.js';
import { describeEntries } from './entries.conformance.js';
import { describeIsolation } from './isolation.conformance.js';
import { afterAll, beforeAll, beforeEach, describe } from './jest-globals.js';
import { describeNamespaces } from './namespaces.conformance.js';
import { describePurges } from './purges.conformance.js';

/**
 * What the suite passes to the factory on each call.
 *
 * @example
 * const factory: BackendFactory = ({ keyPrefix }) => new MyBackend({ keyPrefix });
 */
export interface BackendFactoryOptions {
  /**
   * A `keyPrefix` unique to this call: give it to the backend's constructor.
   * The suite makes two backends and checks that they stay apart; the second
   * one's prefix starts with the first one's, as `shop:` and `shop:admin:` would.
   */
  keyPrefix: string;
}

/**
 * Makes a new backend for the suite; the suite closes it when it ends.
 *
 * @example
 * const factory: BackendFactory = async ({ keyPrefix }) => {
 *   const backend = new MyBackend({ keyPrefix });
 *   await backend.connect();
 *   return backend;
 * };
 */
export type BackendFactory = (
  options: BackendFactoryOptions,
) => CacheBackend | Promise<CacheBackend>;

/**
 * Registers the `CacheBackend` conformance suite in the Jest test file that
 * calls it: the contract of the response-cache methods (`get`, `set`,
 * `delete`, `clear`, `clearPath`, `clearPattern`, `keys`), `invalidateTags`
 * and `namespace()`, called directly on the backend. It is the suite the
 * built-in Memory, Redis and Memcached backends pass.
 *
 * The factory is called twice before the suite (the backend under test and a
 * neighbour on the same server), each time with a fresh `keyPrefix` to pass
 * on; both backends are cleared before each test and closed after the suite.
 * `capabilities` says what the backend can do (every flag defaults to `true`);
 * where a flag is `false` the suite checks the documented refusal instead
 * (`CacheXUnsupportedError` naming the operation, or `-1` for counts).
 * Two tests wait 2 s for expiry. Works in ESM and CommonJS Jest alike: it
 * imports `describe`, `it` and `expect` from `@jest/globals`, so import this
 * entry point only from Jest test files.
 *
 * @example
 * // my-backend.spec.ts
 * import { describeBackendConformance } from 'nestjs-cachex/testing';
 * import { MyBackend } from './my.backend.js';
 *
 * describeBackendConformance(
 *   'MyBackend',
 *   ({ keyPrefix }) => new MyBackend({ url: process.env.MY_STORE_URL, keyPrefix }),
 *   { tags: false, namespaces: false },
 * );
 */
export function describeBackendConformance(
  name: string,
  factory: BackendFactory,
  capabilities?: BackendCapabilities,
): void {
  describe(`CacheBackend conformance: ${name}`, () => {
    const prefix = `cachex-conformance:${randomUUID().slice(0, 8)}:`;
    const created: CacheBackend[] = [];
    const namespaces = new Map<string, KeyValueStore>();
    const resolved = resolveCapabilities(capabilities);

    const context: ConformanceContext = {
      capabilities: resolved,
      backend: () => created[0] ?? notCreated(),
      neighbour: () => created[1] ?? notCreated(),
      namespace: (space) => {
        let store = namespaces.get(space);
        if (!store) {
          store = context.backend().namespace(space);
          namespaces.set(space, store);
        }
        return store;
      },
      count: (n) => (resolved.counts ? n : -1),
    };

    beforeAll(async () => {
      created.push(await factory({ keyPrefix: prefix }));
      created.push(await factory({ keyPrefix: `${prefix}neighbour:` }));
    });
    beforeEach(async () => {
      await Promise.all(created.map((backend) => backend.clear()));
    });
    afterAll(async () => {
      try {
        await Promise.all([...namespaces.values()].map((store) => store.clear()));
        await Promise.all(created.map((backend) => backend.clear()));
      } finally {
        await Promise.all(created.map((backend) => backend.close()));
      }
    });

    describeEntries(context);
    describePurges(context);
    describeIsolation(context);
    describeNamespaces(context);
  });
}

function notCreated(): never {
  throw new Error('describeBackendConformance: the factory has not made the backend yet');
}
