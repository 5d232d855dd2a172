import fc from 'fast-check';
import { hostileText } from '../../../../test/support/hostile-text.js';
import {
  createKeyBuilder,
  defaultKeyBuilder,
  KEY_SEPARATOR,
  keyLocation,
  routePath,
} from './cache-key.js';
import { type HttpRequestLike } from './request.js';

/** An Express app as a request reaches it: a function with its router's settings. */
function expressApp(settings: { caseSensitive?: boolean; strict?: boolean } = {}) {
  const router = Object.assign(() => undefined, {
    caseSensitive: settings.caseSensitive,
    strict: settings.strict,
  });
  return Object.assign(() => undefined, { router, get: () => undefined });
}

/** A Fastify server as `request.server` shows it: the frozen `initialConfig`. */
function fastifyServer(config: Record<string, unknown> = {}) {
  return {
    initialConfig: {
      caseSensitive: true,
      ignoreTrailingSlash: false,
      ignoreDuplicateSlashes: false,
      ...config,
    },
  };
}

const EXPRESS = expressApp();
const FASTIFY = fastifyServer({ routerOptions: { ignoreTrailingSlash: false } });

function req(url: string, extra: Partial<HttpRequestLike> = {}): HttpRequestLike {
  return { method: 'GET', url, headers: { host: 'h.example' }, ...extra };
}

const onExpress = (url: string, extra: Partial<HttpRequestLike> = {}) =>
  req(url, { protocol: 'http', host: 'h.example', app: EXPRESS, ...extra });
const onFastify = (url: string, extra: Partial<HttpRequestLike> = {}) =>
  req(url, { protocol: 'http', host: 'h.example', server: FASTIFY, ...extra });

const plainBuilder = createKeyBuilder({ ignoreQueryParams: [], sortQuery: false });

describe('defaultKeyBuilder', () => {
  it('builds the key of API.md: method, origin, path as routed, query less tracking', () => {
    const key = defaultKeyBuilder(
      onExpress('/Products/?page=2&utm_source=mail', {
        protocol: 'https',
        host: 'shop.example',
        headers: { host: 'internal:3000' },
      }),
    );
    expect(key).toBe('GET|||https://shop.example|||/products|||page=2');
  });

  it('keys a plain Node request by http and its Host header (port kept), as received', () => {
    expect(defaultKeyBuilder(req('/A/b/?x=1&y=%20', { headers: { host: 'H.example:8080' } }))).toBe(
      'GET|||http://h.example:8080|||/A/b/|||x=1&y=%20',
    );
  });

  it("keys the platform's scheme and host, not the headers it does not believe", () => {
    const behindProxy = req('/p', {
      protocol: 'HTTPS',
      host: 'Cdn.Example',
      headers: { host: 'internal:3000', 'x-forwarded-host': 'cdn.example' },
    });
    expect(defaultKeyBuilder(behindProxy)).toBe('GET|||https://cdn.example|||/p|||');
    const notBelieved = req('/p', { headers: { host: 'h.example', 'x-forwarded-host': 'evil' } });
    expect(defaultKeyBuilder(notBelieved)).toBe('GET|||http://h.example|||/p|||');
  });

  it.each([
    ['127.0.0.1:8000', 'http://127.0.0.1:8000'],
    ['[::1]:8000', 'http://[::1]:8000'],
    ['Example.COM', 'http://example.com'],
  ])('keeps the port of host %s', (host, origin) => {
    expect(defaultKeyBuilder(onExpress('/', { host }))).toBe(`GET|||${origin}|||/|||`);
  });

  it('keys HEAD as GET and prefers originalUrl', () => {
    expect(defaultKeyBuilder(req('/inner', { method: 'HEAD', originalUrl: '/outer?q' }))).toBe(
      'GET|||http://h.example|||/outer|||q',
    );
  });

  it('copes with a missing Host and an empty query', () => {
    expect(defaultKeyBuilder({ method: 'GET', url: '/p?', headers: {} })).toBe(
      'GET|||http://|||/p|||',
    );
  });

  it('keys an absolute-form target by its path, as the routers route it', () => {
    expect(defaultKeyBuilder(req('http://evil.example/x?y'))).toBe(
      'GET|||http://h.example|||/x|||y',
    );
    expect(defaultKeyBuilder(req('https://evil.example?y'))).toBe('GET|||http://h.example|||/|||y');
    expect(defaultKeyBuilder(req('*'))).toBe('GET|||http://h.example|||*|||');
  });

  it('writes | as %7C in every part, so no part forges another', () => {
    const pathForged = defaultKeyBuilder(req('/items/1|||x?y'));
    const queryForged = defaultKeyBuilder(req('/items/1?x|||y'));
    expect(pathForged).toBe('GET|||http://h.example|||/items/1%7C%7C%7Cx|||y');
    expect(queryForged).toBe('GET|||http://h.example|||/items/1|||x%7C%7C%7Cy');
    expect(
      defaultKeyBuilder({ method: 'GE|T', url: '/', headers: {}, host: 'a|||b', protocol: 'h|' }),
    ).toBe('GE%7CT|||h%7C://a%7C%7C%7Cb|||/|||');
    expect(defaultKeyBuilder(req('/p?a=1|||vary:x'))).toBe(
      'GET|||http://h.example|||/p|||a=1%7C%7C%7Cvary:x',
    );
  });

  it('leaves out the default tracking parameters, keeping the rest as spelled', () => {
    const key = (url: string) => defaultKeyBuilder(req(url));
    expect(key('/p?utm_source=a')).toBe(key('/p'));
    expect(key('/p?fbclid=x&gclid=y&msclkid=z&utm_medium=m')).toBe(key('/p'));
    expect(key('/p?b=%41&utm_campaign=c&a=1+2')).toBe('GET|||http://h.example|||/p|||b=%41&a=1+2');
    expect(key('/p?utm%5Fsource=a&q')).toBe('GET|||http://h.example|||/p|||q');
    expect(key('/p?b=2&a=1')).toBe('GET|||http://h.example|||/p|||b=2&a=1');
    expect(key('/p?&a&&')).toBe('GET|||http://h.example|||/p|||&a&&');
  });
});

describe('createKeyBuilder', () => {
  it('leaves out the parameters named, as exact names, prefixes or RegExps', () => {
    const keyOf = createKeyBuilder({
      ignoreQueryParams: ['sid', 'ref_*', /^x-\d+$/],
      sortQuery: false,
    });
    expect(keyOf(req('/p?ref_a=1&sid=2&x-12=3&x-a=4&b=5&utm_source=6'))).toBe(
      'GET|||http://h.example|||/p|||x-a=4&b=5&utm_source=6',
    );
  });

  it('sorts by name with sortQuery, repeated names kept in their order', () => {
    const keyOf = createKeyBuilder({ ignoreQueryParams: [], sortQuery: true });
    expect(keyOf(req('/p?b=2&a=2&c&a=1'))).toBe('GET|||http://h.example|||/p|||a=2&a=1&b=2&c');
    expect(keyOf(req('/p?%61=1&a=2'))).toBe(keyOf(req('/p?%61=1&a=2')));
    expect(keyOf(req('/p?%61=1&a=2'))).not.toBe(keyOf(req('/p?a=2&%61=1')));
  });

  it('keeps the query as received with nothing to ignore and no sorting', () => {
    expect(plainBuilder(req('/p?utm_source=a&b|c'))).toBe(
      'GET|||http://h.example|||/p|||utm_source=a&b%7Cc',
    );
  });
});

describe('routePath', () => {
  it.each([
    ['/', '/'],
    ['//', '/'],
    ['/Items/2', '/items/2'],
    ['/items/2/', '/items/2'],
    ['/ITEMS/2//', '/items/2/'],
    ['/items/%41%7e%2d', '/items/a~-'],
    ['/a%2fb%c3%a9', '/a%2Fb%C3%A9'],
    ['/a%zz%', '/a%25zz%25'],
    ['/a%4%41', '/a%254a'],
    ['/a|b', '/a%7Cb'],
    ['/a%7cB', '/a%7Cb'],
  ])('on Express by default: %s → %s', (path, expected) => {
    expect(routePath(onExpress(path))).toBe(expected);
  });

  it.each([
    [{ caseSensitive: true }, '/Items/2/', '/Items/2'],
    [{ strict: true }, '/Items/2/', '/items/2/'],
    [{ caseSensitive: true, strict: true }, '/Items/%41/', '/Items/A/'],
  ])('on Express with %j: %s → %s', (settings, path, expected) => {
    expect(routePath(onExpress(path, { app: expressApp(settings) }))).toBe(expected);
  });

  it("reads Express's settings when the app has no router of its own", () => {
    const settings: Record<string, boolean> = { 'case sensitive routing': true };
    const app = { get: (name: string) => settings[name] };
    expect(routePath(onExpress('/A/', { app }))).toBe('/A');
  });

  it('reads the settings of an app once', () => {
    let reads = 0;
    const app = {
      get router() {
        reads++;
        return { caseSensitive: false, strict: false };
      },
    };
    routePath(onExpress('/a', { app }));
    routePath(onExpress('/b', { app }));
    expect(reads).toBe(1);
  });

  it.each([
    ['/Items/2/', '/Items/2/'],
    ['//items//2', '//items//2'],
    ['/items/%41%7E', '/items/A~'],
    ['/', '/'],
  ])('on Fastify by default: %s → %s', (path, expected) => {
    expect(routePath(onFastify(path))).toBe(expected);
  });

  it.each([
    [{ routerOptions: { caseSensitive: false } }, '/Items/%41/', '/items/a/'],
    [{ caseSensitive: false }, '/Items/2', '/items/2'],
    [{ routerOptions: { ignoreTrailingSlash: true } }, '/Items/2/', '/Items/2'],
    [{ ignoreTrailingSlash: true, routerOptions: {} }, '/Items/2/', '/Items/2'],
    [{ routerOptions: { ignoreDuplicateSlashes: true } }, '//items///2/', '/items/2/'],
    [
      { routerOptions: { ignoreDuplicateSlashes: true, ignoreTrailingSlash: true } },
      '/items//2//',
      '/items/2',
    ],
  ])('on Fastify with %j: %s → %s', (config, path, expected) => {
    expect(routePath(onFastify(path, { server: fastifyServer(config) }))).toBe(expected);
  });

  it("normalises another path by the request's app", () => {
    expect(routePath(onExpress('/x'), '/Items/7/')).toBe('/items/7');
    expect(routePath(onFastify('/x'), '/Items/7/')).toBe('/Items/7/');
  });

  it('keeps case and slashes of a request from neither platform', () => {
    expect(routePath(req('/Items/2/?q'))).toBe('/Items/2/');
  });
});

describe('keyLocation', () => {
  it('reads path and query from a default key, extras after them ignored', () => {
    expect(keyLocation('GET|||h|||/p|||q=1|||vary:a=b')).toEqual({ path: '/p', query: 'q=1' });
  });

  it('reads back the parts of a built key', () => {
    const key = `${defaultKeyBuilder(onExpress('/Items/a|b/?x|y&utm_id=1'))}${KEY_SEPARATOR}vary:z`;
    expect(keyLocation(key)).toEqual({ path: '/items/a%7Cb', query: 'x%7Cy' });
  });

  it("prefers the entry's own path, and knows nothing of a custom key without one", () => {
    expect(keyLocation('custom', { path: '/x', query: '' })).toEqual({ path: '/x', query: '' });
    expect(keyLocation('custom')).toBeUndefined();
  });
});

describe('key properties', () => {
  /** Text built of the characters that could confuse a key. */
  const tricky = (chars: string[], maxLength = 12) =>
    fc.string({ unit: fc.constantFrom(...chars), maxLength });
  const PATH_CHARS = [
    '/',
    'a',
    'A',
    'z',
    '|',
    '%',
    '7',
    'C',
    'c',
    '4',
    '1',
    '~',
    '.',
    '&',
    '=',
    '#',
  ];
  const QUERY_CHARS = [...PATH_CHARS, '?'];
  const path = tricky(PATH_CHARS).map((text) => `/${text}`);
  const query = tricky(QUERY_CHARS);
  const url = (p: string, q: string) => `${p}?${q}`;

  /** Every escape decoded, as a router decodes parameters; bad escapes kept. */
  const decoded = (text: string) =>
    text.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

  it('always has four parts, none holding a |', () => {
    fc.assert(
      fc.property(
        tricky(['G', '|', 'e']),
        tricky(['h', '|', ':', '/']),
        tricky(['h', '|', ':']),
        path,
        query,
        (method, protocol, host, p, q) => {
          const parts = defaultKeyBuilder({
            method,
            protocol,
            host,
            url: url(p, q),
            headers: {},
          }).split(KEY_SEPARATOR);
          expect(parts).toHaveLength(4);
          for (const part of parts) expect(part).not.toContain('|');
        },
      ),
    );
  });

  it('merges only spellings a router decodes alike: parts decode back to what was sent', () => {
    fc.assert(
      fc.property(path, query, (p, q) => {
        const key = keyLocation(plainBuilder(req(url(p, q))))!;
        expect(decoded(key.path)).toBe(decoded(p));
        expect(decoded(key.query)).toBe(decoded(q));
      }),
    );
  });

  it('never gives two distinct (path, query) pairs without escapes one key', () => {
    const unescaped = (arb: fc.Arbitrary<string>) => arb.map((text) => text.replaceAll('%', '_'));
    fc.assert(
      fc.property(
        unescaped(path),
        unescaped(query),
        unescaped(path),
        unescaped(query),
        (p1, q1, p2, q2) => {
          fc.pre(p1 !== p2 || q1 !== q2);
          expect(plainBuilder(req(url(p1, q1)))).not.toBe(plainBuilder(req(url(p2, q2))));
        },
      ),
    );
    expect(plainBuilder(req('/items/1|||x?y'))).not.toBe(plainBuilder(req('/items/1?x|||y')));
  });

  const param = fc
    .tuple(fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/), fc.stringMatching(/^[a-z0-9%+|]{0,4}$/))
    .filter(([name]) => !name.startsWith('utm_') && !['fbclid', 'gclid', 'msclkid'].includes(name))
    .map(([name, value]) => `${name}=${value}`);
  const ignoredParam = fc
    .tuple(
      fc.constantFrom('utm_source', 'utm_', 'utm_x', 'fbclid', 'gclid', 'msclkid', 'utm%5Fid'),
      fc.string({ maxLength: 4 }),
    )
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`);

  it('is not changed by ignored parameters, wherever they are', () => {
    fc.assert(
      fc.property(
        fc.array(param, { maxLength: 5 }),
        fc.array(fc.tuple(fc.nat(), ignoredParam), { maxLength: 4 }),
        (params, inserted) => {
          const noisy = [...params];
          for (const [at, ignored] of inserted) noisy.splice(at % (noisy.length + 1), 0, ignored);
          expect(defaultKeyBuilder(req(url('/p', noisy.join('&'))))).toBe(
            defaultKeyBuilder(req(url('/p', params.join('&')))),
          );
        },
      ),
    );
  });

  it('with sortQuery, is the same for every order of the parameters', () => {
    const sorted = createKeyBuilder({ ignoreQueryParams: [], sortQuery: true });
    const distinctNames = fc.uniqueArray(param, {
      maxLength: 6,
      selector: (text) => text.slice(0, text.indexOf('=')),
    });
    fc.assert(
      fc.property(
        distinctNames.chain((params) =>
          fc.tuple(
            fc.constant(params),
            fc.shuffledSubarray(params, { minLength: params.length, maxLength: params.length }),
          ),
        ),
        ([params, shuffled]) => {
          expect(sorted(req(url('/p', shuffled.join('&'))))).toBe(
            sorted(req(url('/p', params.join('&')))),
          );
        },
      ),
    );
  });

  /** A path and spellings of it that a default Express router treats alike. */
  const spelled = fc
    .array(fc.stringMatching(/^[a-zA-Z0-9._~-]{1,6}$/), { minLength: 1, maxLength: 4 })
    .chain((segments) =>
      fc.tuple(
        fc.constant(`/${segments.join('/')}`),
        fc.array(fc.tuple(fc.boolean(), fc.boolean()), {
          minLength: segments.join('/').length,
          maxLength: segments.join('/').length,
        }),
        fc.boolean(),
      ),
    )
    .map(([canonical, changes, slash]) => {
      let spelling = '/';
      [...canonical.slice(1)].forEach((char, i) => {
        const [upper, escape] = changes[i]!;
        const cased = upper ? char.toUpperCase() : char.toLowerCase();
        spelling += escape && char !== '/' ? `%${cased.charCodeAt(0).toString(16)}` : cased;
      });
      return { canonical, spelling: slash ? `${spelling}/` : spelling };
    });

  it('gives every spelling of a path one key on a default Express router', () => {
    fc.assert(
      fc.property(spelled, query, ({ canonical, spelling }, q) => {
        expect(defaultKeyBuilder(onExpress(url(spelling, q)))).toBe(
          defaultKeyBuilder(onExpress(url(canonical, q))),
        );
      }),
    );
  });

  it('keeps spellings apart on Fastify that only its default router keeps apart', () => {
    fc.assert(
      fc.property(spelled, ({ canonical, spelling }) => {
        const same = decoded(spelling) === canonical;
        expect(routePath(onFastify(spelling)) === routePath(onFastify(canonical))).toBe(same);
      }),
    );
  });

  /** Any text a client could put in a request line or a header, and worse; now and then long. */
  const hostile = hostileText(
    [...QUERY_CHARS, '%ED%A0%80', '%FF', '+', '%2F', '//', '\u0000', '\u{1F422}'],
    { maxLength: 30, structureMaxLength: 16, longUpTo: 20_000, repeatMaxLength: 6 },
  );
  const platform = fc.constantFrom<Partial<HttpRequestLike>>(
    {},
    { app: EXPRESS },
    { app: expressApp({ caseSensitive: true, strict: true }) },
    { server: FASTIFY },
    {
      server: fastifyServer({
        routerOptions: {
          caseSensitive: false,
          ignoreTrailingSlash: true,
          ignoreDuplicateSlashes: true,
        },
      }),
    },
  );
  const builders = [
    defaultKeyBuilder,
    plainBuilder,
    createKeyBuilder({ ignoreQueryParams: ['utm_*', /^x/, ''], sortQuery: true }),
  ];

  it('never throws on any request, and its parts hold no | and decode back to what was sent', () => {
    fc.assert(
      fc.property(
        fc.option(hostile, { nil: undefined }),
        fc.option(hostile, { nil: undefined }),
        fc.option(hostile, { nil: undefined }),
        fc.option(hostile, { nil: undefined }),
        hostile,
        hostile,
        platform,
        (method, protocol, host, headerHost, p, q, on) => {
          const request: HttpRequestLike = {
            method,
            protocol,
            host,
            url: `/${p}?${q}`,
            headers: headerHost === undefined ? {} : { host: headerHost },
            ...on,
          };
          for (const build of builders) {
            const parts = build(request).split(KEY_SEPARATOR);
            expect(parts).toHaveLength(4);
            for (const part of parts) expect(part).not.toContain('|');
          }
          if (on.app === undefined && on.server === undefined) {
            const url = request.url!;
            const location = keyLocation(plainBuilder(request))!;
            expect(decoded(location.path)).toBe(decoded(url.slice(0, url.indexOf('?'))));
            expect(decoded(location.query)).toBe(decoded(url.slice(url.indexOf('?') + 1)));
          }
          expect(typeof routePath(request, p)).toBe('string');
        },
      ),
    );
  });

  it('keyLocation never throws on any key', () => {
    fc.assert(
      fc.property(hostile, (key) => {
        const location = keyLocation(key);
        if (location !== undefined) expect(typeof location.path).toBe('string');
      }),
    );
  });
});
