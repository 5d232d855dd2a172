import { CacheXTimeoutError, withTimeout } from './with-timeout.js';

describe('withTimeout', () => {
  it('settles as the promise does when it settles in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 50, 'op')).resolves.toBe(7);
    const failure = new Error('refused');
    await expect(withTimeout(Promise.reject(failure), 50, 'op')).rejects.toBe(failure);
  });

  it('rejects with CacheXTimeoutError naming the operation when it does not', async () => {
    const never = new Promise<never>(() => undefined);
    const late = withTimeout(never, 20, 'CacheBackend.get');
    await expect(late).rejects.toBeInstanceOf(CacheXTimeoutError);
    await expect(late).rejects.toThrow('CacheBackend.get did not answer within 20 ms');
  });

  it('keeps the first outcome: a late answer after the timeout changes nothing', async () => {
    let answer!: (value: string) => void;
    const slow = new Promise<string>((resolve) => (answer = resolve));
    const bounded = withTimeout(slow, 10, 'op');
    await expect(bounded).rejects.toBeInstanceOf(CacheXTimeoutError);
    answer('too late');
    await expect(bounded).rejects.toBeInstanceOf(CacheXTimeoutError);
  });
});
