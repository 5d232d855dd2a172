/**
 * Hostile requests (issue #11, item 9): random and malformed request headers,
 * paths and query strings against every kind of `@Cache` route, on Express
 * and Fastify (`trust proxy` on, so `X-Forwarded-*` reach the key), on a
 * MemoryBackend, over loopback. Bounded and seeded: `FUZZ_SEED=<n>` replays a
 * run. Whatever comes in, no answer is a 5xx, the app keeps answering, and no
 * response carries another identity's credential: the echo routes send back
 * the credentials they saw, which must be the request's own.
 */
import { Controller, Get, type INestApplication, Param, Req } from '@nestjs/common';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import fc from 'fast-check';
import { Cache, CacheXModule, MemoryBackend } from 'nestjs-cachex';
import http from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { CacheTestController, flaky, platforms, type Platform } from '../support/cache-app.js';

/** Replays a run: the seed is printed with any failure. */
const SEED = Number(process.env.FUZZ_SEED ?? 20_251_106);
/**
 * Runs per platform: through `node:http` (two in three send a second
 * request, so about 250 requests), and as raw bytes through `node:net`.
 */
const HTTP_RUNS = 150;
const RAW_RUNS = 60;
/** Bound on one exchange; a request left hanging is a failure. */
const EXCHANGE_TIMEOUT_MS = 5000;

/** A body long enough to be compressed (the default `minBytes` is 1024). */
const LONG = 'x'.repeat(4000);

interface Req {
  headers: Record<string, string | string[] | undefined>;
}

/** Routes that send back the credentials they saw, shared and private. */
@Controller('fuzz')
class FuzzController {
  @Cache({ ttl: 60, private: true })
  @Get('private')
  private(@Req() req: Req) {
    return { echo: { authorization: req.headers['authorization'], cookie: req.headers['cookie'] } };
  }

  @Cache(60)
  @Get('shared')
  shared(@Req() req: Req) {
    return { echo: { authorization: req.headers['authorization'], cookie: req.headers['cookie'] } };
  }

  @Cache({ ttl: 60, private: true })
  @Get('private/:id')
  privateItem(@Param('id') id: string, @Req() req: Req) {
    return {
      id,
      echo: { authorization: req.headers['authorization'], cookie: req.headers['cookie'] },
    };
  }

  @Cache(60)
  @Get('long/:id')
  long(@Param('id') id: string) {
    return `${LONG}${id}`;
  }
}

async function startFuzzApp(platform: Platform): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [CacheXModule.forRoot({ backend: new MemoryBackend(), backendTimeoutMs: 3000 })],
    controllers: [CacheTestController, FuzzController],
  }).compile();
  let app: INestApplication;
  if (platform === 'fastify') {
    app = moduleRef.createNestApplication(new FastifyAdapter({ trustProxy: true }), {
      logger: false,
    });
  } else {
    app = moduleRef.createNestApplication({ logger: false });
    (app as NestExpressApplication).set('trust proxy', true);
  }
  await app.listen(0, '127.0.0.1');
  if (platform === 'fastify') {
    await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  }
  return app;
}

// ---------------------------------------------------------------------------
// The credential a request carries, as the contract defines it (API.md
// "Private data"), written here from the contract, not from the library.

/** `ignoreCookies`' default: analytics cookies are no credential. */
const ANALYTICS = [/^_ga$/, /^_ga_/, /^_gid$/, /^_gcl_/, /^_fbp$/, /^_fbc$/, /^__utm/, /^_hj/];

/** RFC 6265 §5.4 as browsers send it: first of a name wins, quotes dropped, valid escapes decoded. */
function credentialCookies(header: string | undefined): Array<[string, string]> {
  const cookies = new Map<string, string>();
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=');
    const name = eq === -1 ? '' : pair.slice(0, eq).trim();
    if (name === '' || cookies.has(name) || ANALYTICS.some((p) => p.test(name))) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
      value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // kept as sent
    }
    cookies.set(name, value);
  }
  return [...cookies].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Who a request is: its `Authorization` (empty is none) and its credential cookies. */
function identity(authorization: string | undefined | null, cookie: string | undefined | null) {
  return JSON.stringify([authorization || null, credentialCookies(cookie ?? undefined)]);
}

// ---------------------------------------------------------------------------
// What a request is made of.

/** Paths of every kind of route; `{}` is filled with a fuzzed segment. */
const OTHER_ROUTES = [
  '/items/{}',
  '/text',
  '/bytes',
  '/custom-headers',
  '/own-validators',
  '/status-203',
  '/status-203-not-stored',
  '/not-found',
  '/cookie',
  '/stream',
  '/raw',
  '/no-cache',
  '/no-store',
  '/private',
  '/public',
  '/shared',
  '/directives',
  '/short',
  '/greeting',
  '/vary-star',
  '/products/{}',
  '/swr',
  '/flaky',
  '/guarded',
  '/uncached',
  '/fuzz/long/{}',
  '/no/such/route',
];

/** Routes that send back the credentials they saw. */
const ECHO_ROUTES = ['/fuzz/private', '/fuzz/private/{}', '/fuzz/shared', '/private', '/shared'];

/** Pieces of paths and queries that have confused caches: escapes, separators, case, length. */
const segment = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('1', '2', 'a', 'A', 'żółw') },
  {
    weight: 4,
    arbitrary: fc.string({
      unit: fc.constantFrom(
        'a',
        'B',
        '1',
        '%41',
        '%61',
        '%7C',
        '%7c',
        '%2F',
        '%25',
        '%',
        '%zz',
        '%E2%9C%93',
        '%ED%A0%80',
        '%00',
        '|',
        '|||',
        '~',
        '.',
        '..',
        '+',
        ';',
        ',',
        'é',
        "'",
        '"',
        '<',
        '\\',
        '{',
        '^',
        '`',
      ),
      minLength: 1,
      maxLength: 8,
    }),
  },
  { weight: 1, arbitrary: fc.nat({ max: 9000 }).map((n) => 'L'.repeat(n + 1)) },
);
const queryPart = fc.oneof(
  fc.constantFrom(
    'a=1',
    'a=2',
    'b=|',
    '|=|',
    'q=%7C',
    'q=%7c',
    'x=%zz',
    'x=%',
    'utm_source=mail',
    'fbclid=1',
    'utm%5Fid=2',
    'e=%E2%9C%93',
    'é=ü',
    '=',
    '',
    '&',
    '?',
    'a[b]=1',
    'a.b=1',
    '__proto__=1',
    'constructor[prototype][x]=1',
  ),
  fc.nat({ max: 6000 }).map((n) => `long=${'q'.repeat(n)}`),
);
/** One of the values, each as often as its weight says. */
const weighted = <T>(...choices: Array<[T, number]>) =>
  fc.oneof(...choices.map(([value, weight]) => ({ weight, arbitrary: fc.constant(value) })));
/** True about one time in `n`. */
const rarely = (n: number) => fc.nat({ max: n - 1 }).map((k) => k === 0);
const pathSpelling = fc.record({
  // The echo routes, where a crossed identity would show, half the time.
  route: fc.oneof(fc.constantFrom(...ECHO_ROUTES), fc.constantFrom(...OTHER_ROUTES)),
  id: segment,
  upper: rarely(12),
  trailingSlash: rarely(10),
  doubleSlash: rarely(12),
  query: fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.array(queryPart, { maxLength: 4 }) },
  ),
});
type PathSpelling = typeof pathSpelling extends fc.Arbitrary<infer T> ? T : never;

/**
 * The request-target. Beyond ASCII it is percent-encoded for `node:http`
 * (Fastify refuses raw Latin-1 in a target with a 400 whose body breaks
 * Node's client on HEAD); raw requests send it as UTF-8 bytes.
 */
function target(p: PathSpelling, raw = false): string {
  const spelled = targetOf(p);
  return raw ? spelled : spelled.replace(/[^ -~]+/gu, encodeURIComponent);
}

function targetOf(p: PathSpelling): string {
  let path = p.route.replace('{}', p.id);
  if (p.upper) path = path.toUpperCase();
  if (p.doubleSlash) path = path.replace('/', '//');
  if (p.trailingSlash) path += '/';
  return p.query === undefined ? path : `${path}?${p.query.join('&')}`;
}

/** A value `node:http` lets through: printable Latin-1. */
const latin1 = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
    .map((code) => String.fromCharCode(code)),
  maxLength: 24,
});
const long = (text: string) => fc.nat({ max: 9000 }).map((n) => text.repeat(n + 1));

const cookiePair = fc
  .tuple(
    fc.constantFrom(
      'sid',
      'SID',
      'session',
      'theme',
      '_ga',
      '_ga_X',
      '_gid',
      '_gcl_au',
      '__utma',
      '_hjid',
      ' sid',
      'a b',
    ),
    fc.constantFrom('1', '2', '"1"', '%31', '%zz', '%E2%9C%93', '', 'a=b', '%3B', '%0A', 'é'),
  )
  .map(([name, value]) => `${name}=${value}`);
/** Few identities, spelled several ways, so that requests meet stored entries. */
const familiarCookie = fc.constantFrom(
  'sid=1',
  'sid="1"',
  'sid=%31',
  ' sid=1 ; _ga=2',
  'sid=2',
  'sid=1; x=1',
);
const cookie = fc.oneof(
  { weight: 3, arbitrary: familiarCookie },
  fc.array(cookiePair, { minLength: 1, maxLength: 4 }).map((pairs) => pairs.join('; ')),
  fc.array(cookiePair, { minLength: 1, maxLength: 4 }).map((pairs) => pairs.join(';')),
  fc.constantFrom('', ';', '=', 'novalue', '; ; sid=1'),
  latin1,
);
const authorization = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('Bearer a', 'Bearer b') },
  fc.constantFrom(
    'Bearer a',
    'Bearer b',
    'bearer a',
    'Basic YTpi',
    '',
    'Bearer',
    'Bearer a, Bearer b',
  ),
  latin1,
  long('A'),
);
const ifNoneMatch = fc.oneof(
  fc.constantFrom(
    '*',
    '"a"',
    'W/"a"',
    '"a", W/"b"',
    'W/',
    '"',
    '""',
    '"unterminated',
    'a, b',
    ' * ',
    '*, "a"',
  ),
  latin1,
  long('"x", '),
  // An ETag this run has seen, so that 304s happen: filled in when sent.
  fc.nat().map((n) => ({ seen: n })),
);
const ifModifiedSince = fc.oneof(
  fc.constantFrom(
    'Thu, 01 Jan 1970 00:00:00 GMT',
    'Fri, 31 Dec 9999 23:59:59 GMT',
    new Date().toUTCString(),
    'Sunday, 06-Nov-94 08:49:37 GMT',
    'Sun Nov  6 08:49:37 1994',
    'garbage 9999',
    '9999',
    '-1',
    '',
  ),
  latin1,
);
const cacheControl = fc.oneof(
  fc.constantFrom(
    'no-cache',
    'no-store',
    'max-age=0',
    'only-if-cached',
    'max-stale',
    'max-age=-1',
    'private',
    ',',
  ),
  latin1,
);
const acceptEncoding = fc.oneof(
  fc.constantFrom(
    'gzip',
    'br',
    'deflate',
    'gzip, br',
    'br;q=0',
    'gzip;q=0.5, br;q=0.9',
    '*',
    '*;q=0',
    'identity;q=0',
    'identity;q=0, *;q=0',
    'gzip;q=abc',
    'br;;;q=1',
    'GZIP',
    '',
  ),
  latin1,
);
const host = fc.oneof(
  fc.constantFrom(
    'example.com',
    'EXAMPLE.com:80',
    '[::1]:1',
    'a|b',
    'a|||b',
    'évil',
    '',
    'h:99999',
    'x,y',
    '127.0.0.1',
  ),
  latin1,
  long('h'),
);

/** A header value, or one filled in at send time. */
type Value = string | { seen: number };
/** Sometimes: each header is in about one request in four, so that some are plain and hit. */
const sometimes = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
const headerSet = fc.record({
  'if-none-match': sometimes(ifNoneMatch as fc.Arbitrary<Value>),
  'if-modified-since': sometimes(ifModifiedSince),
  'cache-control': sometimes(cacheControl),
  cookie: sometimes(cookie),
  authorization: sometimes(authorization),
  'accept-encoding': sometimes(acceptEncoding),
  host: sometimes(host),
  'x-forwarded-host': sometimes(host),
  'x-forwarded-proto': sometimes(
    fc.constantFrom('https', 'http', 'HTTPS', 'gopher', 'https, http', ''),
  ),
  'accept-language': sometimes(fc.constantFrom('fr', 'en', 'fr, en', '*', '')),
  'x-let-me-in': sometimes(fc.constantFrom('yes', 'no')),
});

/** Node refuses a request head over 16 KiB (431); raw requests test that, these stay under it. */
const HEAD_BUDGET = 15_000;
const httpRequest = fc
  .record({
    method: weighted(['GET', 6], ['HEAD', 2], ['POST', 1], ['DELETE', 1]),
    path: pathSpelling,
    headers: headerSet,
    // Two runs in three send the request again right after: with the same credentials
    // (a hit where it was stored, a 304 when revalidating), or with others, the moment
    // one identity's stored body could reach another.
    then: fc.oneof(
      { weight: 1, arbitrary: fc.constant(undefined) },
      {
        weight: 2,
        arbitrary: fc.record({
          // Sends the ETag of the first answer back, asking for a 304.
          revalidate: rarely(3),
          // The first request's credentials again (a hit, where it was stored), or others.
          same: weighted([true, 2], [false, 1]),
          cookie: fc.option(familiarCookie, { nil: undefined }),
          authorization: fc.option(fc.constantFrom('Bearer a', 'Bearer b', ''), { nil: undefined }),
        }),
      },
    ),
  })
  .filter(
    (r) =>
      [target(r.path), ...Object.values(r.headers), ...Object.values(r.then ?? {})].reduce<number>(
        (sum, value) => sum + (typeof value === 'string' ? value.length : 0),
        0,
      ) < HEAD_BUDGET,
  );
type FuzzRequest = typeof httpRequest extends fc.Arbitrary<infer T> ? T : never;

// ---------------------------------------------------------------------------
// Sending.

interface Answer {
  status: number | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request through `node:http`, without an agent or any header Node would add. */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      method,
      path,
      agent: false,
      setHost: false,
    });
    for (const [name, value] of Object.entries(headers)) req.setHeader(name, value);
    req.setTimeout(EXCHANGE_TIMEOUT_MS, () =>
      req.destroy(new Error(`no answer to ${method} ${path}`)),
    );
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.end();
  });
}

/** Raw bytes through `node:net`: whatever Node's client would refuse to write. */
function sendRaw(port: number, bytes: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(EXCHANGE_TIMEOUT_MS, () =>
      socket.destroy(new Error('no answer to raw bytes')),
    );
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A server may reset a connection it refuses: no answer, not a crash.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE')
        resolve(parseRaw(Buffer.concat(chunks)));
      else reject(error);
    });
    socket.on('end', () => resolve(parseRaw(Buffer.concat(chunks))));
    socket.end(bytes);
  });
}

/** The status, headers and (de-chunked) body of a raw HTTP/1.1 answer. */
function parseRaw(data: Buffer): Answer {
  const end = data.indexOf('\r\n\r\n');
  const head = data.subarray(0, end === -1 ? data.length : end).toString('latin1');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = end === -1 ? Buffer.alloc(0) : data.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    for (let at = 0; at < body.length;) {
      const lineEnd = body.indexOf('\r\n', at);
      const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
      if (!(size > 0)) break;
      parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  }
  return { status: status === undefined ? undefined : Number(status), headers, body };
}

function decoded(answer: Answer): Buffer {
  const encoding = String(answer.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding === 'gzip') return gunzipSync(answer.body);
  if (encoding === 'br') return brotliDecompressSync(answer.body);
  if (encoding === 'deflate') return inflateSync(answer.body);
  return answer.body;
}

// ---------------------------------------------------------------------------
// What every answer must hold.

/** What the answers were, so that a run that only ever met 400s does not pass unnoticed. */
const seenKinds: Record<string, number> = {};
const tally = (kind: string) => (seenKinds[kind] = (seenKinds[kind] ?? 0) + 1);

/**
 * No 5xx; a 304 has no body; a compressed body decodes to what the route
 * sends; an echo carries the credentials of the request it answers (`seen`:
 * the `Authorization` and `Cookie` the server was sent).
 */
function check(
  method: string,
  answer: Answer,
  seen: { authorization?: string; cookie?: string },
): void {
  const status = answer.status;
  tally(`status ${status ?? 'none'}`);
  const cacheStatus = String(answer.headers['cache-status'] ?? '');
  if (cacheStatus.includes('; hit')) tally('hit');
  expect(status === undefined || status < 500).toBe(true);
  // Node and Fastify answer a request they cannot parse with a body, whatever its method.
  if (status === 304 || (method === 'HEAD' && status !== undefined && status < 400)) {
    expect(answer.body).toHaveLength(0);
  }
  if (status !== 200 || method !== 'GET') return;
  const body = decoded(answer).toString('utf8');
  if (String(answer.headers['content-type'] ?? '').includes('application/json')) {
    const json = JSON.parse(body) as {
      echo?: { authorization?: string; cookie?: string };
      user?: string | null;
    };
    if (json.echo !== undefined) {
      tally(
        seen.authorization || credentialCookies(seen.cookie).length > 0
          ? 'echo with credential'
          : 'echo',
      );
      if (cacheStatus.includes('; hit')) tally('echo hit');
      expect(identity(json.echo.authorization, json.echo.cookie)).toBe(
        identity(seen.authorization, seen.cookie),
      );
    }
    // `/private` and `/shared` of the shared test app send back `Authorization` only.
    if ('user' in json) expect(json.user || null).toBe(seen.authorization || null);
  } else if (body.startsWith('x')) {
    expect(body.startsWith(LONG)).toBe(true);
  }
}

/** What the server reads of a header value: Latin-1, without the whitespace around it. */
const asReceived = (value: string | undefined) => value?.replace(/^[ \t]+|[ \t]+$/g, '');

// ---------------------------------------------------------------------------
// Raw requests: what Node's client refuses to send.

/** Header lines Node's client would not write: controls, folding, duplicates, bare names, length. */
const rawHeaderLine = fc.oneof(
  fc.constantFrom(
    'X-Ctl: a\x01b',
    'X-Del: a\x7fb',
    'X-Nul: a\x00b',
    'X-Folded: a\r\n b',
    'NoColon',
    ': empty-name',
    'Bad Name: x',
    'Host: second.example',
    'If-None-Match: "a"\x0b',
    'If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\x00',
    'Cache-Control: no-cache\x01',
    'Accept-Encoding: gzip\x00br',
    'X-Forwarded-Host: a\x01b',
    'Content-Length: abc',
    'Transfer-Encoding: chunked, identity',
  ),
  fc.nat({ max: 20_000 }).map((n) => `X-Long: ${'l'.repeat(n)}`),
  fc
    .string({ unit: fc.nat({ max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 30 })
    .map((text) => `X-Bytes: ${text.replace(/[\r\n]/g, '')}`),
);
/** Request targets Node's client would not write: spaces, controls, raw UTF-8, absolute form. */
const rawTarget = fc.oneof(
  fc.constantFrom(
    '/items/a b',
    '/items/\x01',
    '/items/\x7f',
    '/fuzz/private/żółw',
    '/fuzz/long/🐢',
    'http://evil.example/items/1',
    'http://evil.example',
    '//items/1',
    '*',
    'items/1',
    '/items/1#frag',
    '/items/1?q=a b',
    '/items/1?q=\x00',
    '/fuzz/private?x=|||',
  ),
  pathSpelling.map((p) => target(p, true)),
);
const rawRequest = fc.record({
  method: fc.constantFrom('GET', 'GET', 'HEAD', 'get', 'G ET', 'PROPFIND'),
  target: rawTarget,
  version: fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 ', ''),
  host: fc.option(fc.constantFrom('127.0.0.1', 'évil', 'a|b', 'żółw.example'), { nil: undefined }),
  authorization: fc.option(fc.constantFrom('Bearer a', 'Bearer żółw', 'Bearer b\u00a0'), {
    nil: undefined,
  }),
  cookie: fc.option(fc.constantFrom('sid=1', 'sid=żółw', 'sid=%C5%BC', '_ga=1; theme=ü'), {
    nil: undefined,
  }),
  lines: fc.array(rawHeaderLine, { maxLength: 3 }),
});
type RawRequest = typeof rawRequest extends fc.Arbitrary<infer T> ? T : never;

function rawBytes(r: RawRequest): Buffer {
  const lines = [`${r.method} ${r.target} ${r.version}`.trimEnd()];
  if (r.host !== undefined) lines.push(`Host: ${r.host}`);
  if (r.authorization !== undefined) lines.push(`Authorization: ${r.authorization}`);
  if (r.cookie !== undefined) lines.push(`Cookie: ${r.cookie}`);
  lines.push(...r.lines, 'Connection: close');
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
}

/** Long values shortened, so that a failure report stays readable. */
function shortened(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'string' && v.length > 80 ? `${v.slice(0, 40)}…(${v.length} chars)` : v,
  );
}

/** Runs of a fuzz property: seeded, stopping at the first failure, reported briefly. */
function runs(numRuns: number): fc.Parameters<[unknown]> {
  return {
    seed: SEED,
    numRuns,
    endOnFailure: true,
    reporter: (details) => {
      if (!details.failed) return;
      const error = details.errorInstance as Error | undefined;
      throw new Error(
        `fuzz failed (FUZZ_SEED=${details.seed}, run ${details.numRuns}): ${shortened(details.counterexample)}\n${error?.message ?? ''}`,
      );
    },
  };
}

/** A UTF-8 value as Node's parser hands it over: its bytes read as Latin-1, trimmed. */
const latin1Of = (value: string | undefined) =>
  value === undefined ? undefined : asReceived(Buffer.from(value, 'utf8').toString('latin1'));

// ---------------------------------------------------------------------------

describe.each(platforms)('hostile requests on %s', (platform) => {
  let app: INestApplication;
  let port: number;
  /** ETags answered so far, sent back as If-None-Match so that 304s happen. */
  const etags: string[] = [];

  beforeAll(async () => {
    flaky.mode = 'ok';
    app = await startFuzzApp(platform);
    port = (app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app?.close();
    if (process.env.FUZZ_SEED !== undefined) console.log(platform, seenKinds);
    for (const kind of Object.keys(seenKinds)) delete seenKinds[kind];
  });

  /** The app still answers a plain request, cached and private. */
  async function stillAnswers(): Promise<void> {
    const plain = await send(port, 'GET', '/items/1', { host: `127.0.0.1:${port}` });
    expect(plain.status).toBe(200);
    const mine = await send(port, 'GET', '/fuzz/private', {
      host: `127.0.0.1:${port}`,
      authorization: 'Bearer plain',
    });
    expect(mine.status).toBe(200);
    check('GET', mine, { authorization: 'Bearer plain' });
  }

  /** One request through `node:http`, checked; its ETag kept for later If-None-Match. */
  async function exchange(method: string, path: string, sent: Record<string, string>) {
    const answer = await send(port, method, path, sent);
    const etag = answer.headers.etag;
    if (typeof etag === 'string' && etags.length < 50 && !etags.includes(etag)) etags.push(etag);
    check(method, answer, {
      authorization: asReceived(sent.authorization),
      cookie: asReceived(sent.cookie),
    });
    return answer;
  }

  it(`survives ${HTTP_RUNS} random and malformed requests sent by node:http`, async () => {
    await fc.assert(
      fc.asyncProperty(httpRequest, async (r: FuzzRequest) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(r.headers)) {
          if (value === undefined) continue;
          headers[name] =
            typeof value === 'string'
              ? value
              : (etags[value.seen % Math.max(etags.length, 1)] ?? '"none"');
        }
        headers.host ??= `127.0.0.1:${port}`;
        const first = await exchange(r.method, target(r.path), headers);
        if (r.then !== undefined) {
          const { cookie: _cookie, authorization: _authorization, ...rest } = headers;
          const other: Record<string, string> = r.then.same ? { ...headers } : { ...rest };
          if (!r.then.same && r.then.cookie !== undefined) other.cookie = r.then.cookie;
          if (!r.then.same && r.then.authorization !== undefined) {
            other.authorization = r.then.authorization;
          }
          const etag = first.headers.etag;
          if (r.then.revalidate && typeof etag === 'string') other['if-none-match'] = etag;
          await exchange(r.method, target(r.path), other);
        }
      }),
      runs(HTTP_RUNS) as fc.Parameters<[FuzzRequest]>,
    );
    // The run met what it is for: hits, 304s, and echoes of credentials, some from the cache.
    const met = ['status 200', 'hit', 'status 304', 'echo with credential', 'echo hit'];
    expect(met.filter((kind) => !(seenKinds[kind]! > 0))).toEqual([]);
    await stillAnswers();
  }, 120_000);

  it(`survives ${RAW_RUNS} requests of raw bytes Node's client would refuse`, async () => {
    await fc.assert(
      fc.asyncProperty(rawRequest, async (r: RawRequest) => {
        const answer = await sendRaw(port, rawBytes(r));
        check(r.method, answer, {
          authorization: latin1Of(r.authorization),
          cookie: latin1Of(r.cookie),
        });
      }),
      runs(RAW_RUNS) as fc.Parameters<[RawRequest]>,
    );
    await stillAnswers();
  }, 120_000);

  // Regression: the private identity joined credentials with '\n' after
  // decoding cookie values, so a value holding '%0A' could spell other
  // cookies: two credential sets, one identity, one user's private body to
  // the other.
  it('keeps identities apart when cookie values hold the separators of the identity', async () => {
    // Two different sets of credentials: one cookie whose value, decoded, spells
    // a second cookie line; and those two cookies. Each must get its own echo.
    const crafted = 'a=1%0Ac%3D1%3Ab%3D2';
    const plainPair = 'a=1; b=2';
    for (const cookieHeader of [crafted, plainPair]) {
      const answer = await send(port, 'GET', '/fuzz/private/crafted', {
        host: `127.0.0.1:${port}`,
        cookie: cookieHeader,
      });
      check('GET', answer, { cookie: cookieHeader });
    }
  });
});
