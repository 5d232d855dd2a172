import fc from 'fast-check';
import { hostileText } from '../../../../test/support/hostile-text.js';
import { storableHeaders, unstorableReason } from './storable.js';

describe('storableHeaders', () => {
  it('drops hop-by-hop, Connection-named, recomputed and Set-Cookie headers', () => {
    expect(
      storableHeaders({
        'Content-Type': 'application/json',
        connection: 'keep-alive, x-hop',
        'x-hop': '1',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'set-cookie': ['a=1', 'b=2'],
        'content-length': 12,
        'x-kept': ['a', 'b'],
        etag: '"e"',
        absent: undefined,
      }),
    ).toEqual({ 'content-type': 'application/json', 'x-kept': 'a, b', etag: '"e"' });
  });
});

describe('unstorableReason', () => {
  it.each([
    [200, [200], {}, undefined],
    [201, [200], {}, 'status'],
    [203, [200, 203], {}, undefined],
    [200, [200], { 'set-cookie': 'a=1' }, 'set-cookie'],
    [200, [200], { vary: 'Accept, *' }, 'vary-star'],
    [200, [200], { vary: 'Accept-Language' }, undefined],
  ])('status %i, statuses %j, headers %j: %s', (status, statuses, headers, reason) => {
    expect(unstorableReason(status, statuses, headers)).toBe(reason);
  });
});

describe('storable properties', () => {
  const HOP_BY_HOP = [
    'connection',
    'keep-alive',
    'proxy-authenticate',
    'proxy-authorization',
    'proxy-connection',
    'te',
    'trailer',
    'transfer-encoding',
    'upgrade',
  ];
  const RECOMPUTED = [
    'set-cookie',
    'content-length',
    'date',
    'age',
    'cache-control',
    'cache-status',
    'surrogate-key',
  ];
  /** Any header text a handler might set: full Unicode, control characters; never very long. */
  const text = hostileText([',', ' ', '*', 'x-a', 'Vary', 'te'], {
    maxLength: 20,
    structureMaxLength: 6,
    weights: [1, 1, 1, 0],
  });
  const name = fc.oneof(
    fc.constantFrom(...HOP_BY_HOP, ...RECOMPUTED, 'ETag', 'Content-Type', 'x-a', 'X-B', 'vary'),
    fc.stringMatching(/^[a-zA-Z0-9-]{1,10}$/),
    text.filter((n) => n !== '__proto__'),
  );
  const value = fc.oneof(
    text,
    fc.integer(),
    fc.array(text, { maxLength: 3 }),
    fc.constant(undefined),
  );
  /** Headers as `getHeaders()` gives them: one spelling per name. */
  const headers = fc
    .uniqueArray(fc.tuple(name, value), { selector: ([n]) => n.toLowerCase(), maxLength: 8 })
    .chain((pairs) =>
      fc.subarray(pairs.map(([n]) => n)).map((named) => ({ pairs, connection: named.join(', ') })),
    )
    .map(({ pairs, connection }) => {
      const record: Record<string, number | string | string[] | undefined> = Object.fromEntries(
        pairs.filter(([n]) => n.toLowerCase() !== 'connection'),
      );
      if (connection !== '') record.connection = connection;
      return record;
    });

  it('never throws; keeps every header but the hop-by-hop, Connection-named and recomputed', () => {
    fc.assert(
      fc.property(headers, (h) => {
        const named = String(h.connection ?? '')
          .toLowerCase()
          .split(',')
          .map((n) => n.trim());
        const expected: Record<string, string> = {};
        for (const [n, v] of Object.entries(h)) {
          const lower = n.toLowerCase();
          if (v === undefined || HOP_BY_HOP.includes(lower) || RECOMPUTED.includes(lower)) continue;
          if (named.includes(lower)) continue;
          expected[lower] = Array.isArray(v) ? v.join(', ') : String(v);
        }
        expect(storableHeaders(h)).toEqual(expected);
      }),
    );
  });

  it('unstorableReason never throws, and names the first reason found', () => {
    const varyMembers = fc.array(
      fc.oneof(fc.constantFrom('*', ' * ', '\t*', 'Accept', 'accept-language', '**'), text),
      { maxLength: 4 },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.array(fc.integer({ min: 100, max: 599 }), { maxLength: 4 }),
        fc.option(fc.oneof(text, fc.array(text, { maxLength: 2 })), { nil: undefined }),
        fc.option(varyMembers, { nil: undefined }),
        fc.boolean(),
        fc.boolean(),
        (status, others, setCookie, vary, varyAsArray, listed) => {
          const statuses = listed ? [...others, status] : others.filter((s) => s !== status);
          const h: Record<string, string | string[] | undefined> = {};
          if (setCookie !== undefined) h['set-cookie'] = setCookie;
          if (vary !== undefined) h.vary = varyAsArray ? vary : vary.join(',');
          const star =
            vary !== undefined &&
            vary
              .join(',')
              .split(',')
              .some((m) => m.trim() === '*');
          const expected = !listed
            ? 'status'
            : setCookie !== undefined
              ? 'set-cookie'
              : star
                ? 'vary-star'
                : undefined;
          expect(unstorableReason(status, statuses, h)).toBe(expected);
        },
      ),
    );
  });

  it('a header named __proto__ never reaches the prototype of what is stored', () => {
    const stored = storableHeaders(
      Object.fromEntries([
        ['__proto__', 'x'],
        ['etag', '"e"'],
      ]),
    );
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    expect(stored.etag).toBe('"e"');
  });
});
