import { expect } from './jest-globals.js';
import { type CacheBackend, type KeyValueStore } from '../backends/cache-backend.js';
import { type CacheEntry } from '../backends/cache-entry.js';
import { type ResolvedCapabilities } from './conformance.capabilities.js';

/** What every group of the suite works with. */
export interface ConformanceContext {
  readonly capabilities: ResolvedCapabilities;
  /** The backend under test, created from the factory before the suite. */
  backend(): CacheBackend;
  /** A second backend from the factory, with a `keyPrefix` of its own. */
  neighbour(): CacheBackend;
  /** The backend's namespace `name`, cleared after the suite. */
  namespace(name: string): KeyValueStore;
  /** What a purge of `n` entries resolves to: `n`, or `-1` when the backend cannot count. */
  count(n: number): number;
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** The origin of the suite's logical keys. */
export const ORIGIN = 'http://conformance.test:8080';

/** A logical key as the default key builder spells it. */
export const key = (path: string, query = '', method = 'GET', origin = ORIGIN): string =>
  `${method}|||${origin}|||${path}|||${query}`;

/** An entry with a binary body and a non-ASCII header value; `overrides` win. */
export function entry(overrides: Partial<CacheEntry> = {}): CacheEntry {
  return {
    status: 200,
    headers: { 'content-type': 'application/octet-stream', etag: '"e"', 'x-extra': 'ü' },
    body: Buffer.from([0, 1, 2, 255, 254, 0, 10]),
    storedAt: Date.now(),
    maxAge: 60,
    ...overrides,
  };
}

/** An entry whose body is `text`, to tell entries apart. */
export const textEntry = (text: string, overrides: Partial<CacheEntry> = {}): CacheEntry =>
  entry({ body: Buffer.from(text), ...overrides });

/** The body of the entry under `key` as text; `undefined` when there is none. */
export async function bodyOf(backend: CacheBackend, k: string): Promise<string | undefined> {
  return (await backend.get(k))?.body.toString('utf8');
}

/** The value, asserted present. */
export function present<T>(value: T | undefined): T {
  expect(value).toBeDefined();
  return value as T;
}

/** Every key `keys()` yields, sorted (it may return an array or an async iterable). */
export async function allKeys(backend: CacheBackend): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of await backend.keys()) keys.push(k);
  return keys.sort();
}

/**
 * Asserts that `call` is refused with `CacheXUnsupportedError` naming
 * `operation`, whether it throws or rejects. Matched by its stable `code`
 * rather than `instanceof`, so a backend built against another copy of
 * nestjs-cachex is judged alike.
 */
export async function expectRefused(operation: string, call: () => unknown): Promise<void> {
  let refusal: unknown;
  try {
    await call();
  } catch (error) {
    refusal = error;
  }
  expect(refusal).toMatchObject({
    code: 'CACHEX_UNSUPPORTED',
    operation,
    backend: expect.any(String),
    message: expect.stringContaining(`${operation}()`),
  });
}
