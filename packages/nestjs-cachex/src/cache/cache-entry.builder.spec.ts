import { defaultKeyBuilder } from '../http/cache-key.js';
import { buildEntry } from './cache-entry.builder.js';
import { resolveModuleOptions } from './cache-module.options.js';
import { resolveRoutePolicy } from './route-policy.js';

const policy = resolveRoutePolicy({ ttl: 60 }, resolveModuleOptions({}), defaultKeyBuilder);
const req = { method: 'GET', url: '/a', headers: { host: 'x' } };
/** When the entries are built: the clock's reading, not the wall clock's. */
const NOW = Date.parse('Fri, 04 Dec 2026 12:00:00 GMT');
const build = (body: string, previous?: { etag?: string; lastModified?: string }) =>
  buildEntry({
    req,
    policy,
    status: 200,
    headers: {},
    serialized: { body: Buffer.from(body), contentType: 'text/plain' },
    value: body,
    previous,
    now: NOW,
  });

describe('buildEntry validators', () => {
  const old = 'Wed, 21 Oct 2015 07:28:00 GMT';

  it('keeps the Last-Modified of the entry it replaces when the bytes are the same', () => {
    const etag = build('same').headers['etag'];
    expect(build('same', { etag, lastModified: old }).headers['last-modified']).toBe(old);
  });

  it('dates a changed body from now', () => {
    const etag = build('before').headers['etag'];
    const entry = build('after', { etag, lastModified: old });
    expect(entry.headers['last-modified']).toBe('Fri, 04 Dec 2026 12:00:00 GMT');
  });

  it('dates a first entry from now, and stores it at now', () => {
    const entry = build('first');
    expect(entry.headers['last-modified']).toBe('Fri, 04 Dec 2026 12:00:00 GMT');
    expect(entry.storedAt).toBe(NOW);
  });
});
