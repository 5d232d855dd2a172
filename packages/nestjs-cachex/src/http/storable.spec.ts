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
