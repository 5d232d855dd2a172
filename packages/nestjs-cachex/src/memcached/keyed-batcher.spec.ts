import { KeyedBatcher } from './keyed-batcher.js';

describe('KeyedBatcher', () => {
  it('applies the first change alone and the ones that queue behind it together', async () => {
    const batches: Array<[string, number[]]> = [];
    const batcher = new KeyedBatcher<number>(async (key, changes) => {
      batches.push([key, changes]);
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => batcher.submit('a', i)),
      batcher.submit('b', 9),
    ]);
    expect(batches).toEqual([
      ['a', [0]],
      ['b', [9]],
      ['a', [1, 2, 3, 4]],
    ]);
  });

  it('rejects every change of a failed batch, and goes on with the next', async () => {
    let calls = 0;
    const batcher = new KeyedBatcher<number>(async () => {
      calls++;
      if (calls === 2) throw new Error('boom');
    });
    const results = await Promise.allSettled([1, 2, 3].map((n) => batcher.submit('k', n)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    await expect(batcher.submit('k', 4)).resolves.toBeUndefined();
  });
});
