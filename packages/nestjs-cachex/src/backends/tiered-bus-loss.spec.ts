import { TieredBusLoss } from './tiered-bus-loss.js';

describe('TieredBusLoss', () => {
  it('serves every local entry while the bus is up', () => {
    const rule = new TieredBusLoss(1000);
    expect(rule.mayServe('k', 0)).toBe(true);
    expect(rule.mayServe('k', 1e12)).toBe(true);
  });

  it('serves an entry kept before the loss for maxAgeMs after the loss', () => {
    const rule = new TieredBusLoss(1000);
    rule.disconnected(10_000);
    expect(rule.mayServe('k', 10_999)).toBe(true);
    expect(rule.mayServe('k', 11_000)).toBe(false);
  });

  it('counts from the first loss when it is reported twice', () => {
    const rule = new TieredBusLoss(1000);
    rule.disconnected(10_000);
    rule.disconnected(10_500);
    expect(rule.mayServe('k', 11_200)).toBe(false);
  });

  it('serves an entry kept during the loss for maxAgeMs after its fill', () => {
    const rule = new TieredBusLoss(1000);
    rule.disconnected(10_000);
    rule.filled('k', 12_000);
    expect(rule.mayServe('k', 12_999)).toBe(true);
    expect(rule.mayServe('k', 13_000)).toBe(false);
    expect(rule.mayServe('other', 12_500)).toBe(false);
  });

  it('forgets fills made while the bus was up, and everything when it is back', () => {
    const rule = new TieredBusLoss(1000);
    rule.filled('k', 50_000);
    rule.disconnected(10_000);
    expect(rule.mayServe('k', 11_000)).toBe(false);
    rule.filled('k', 11_000);
    rule.reconnected();
    expect(rule.connected).toBe(true);
    rule.disconnected(20_000);
    expect(rule.mayServe('k', 21_500)).toBe(false);
  });

  it('serves nothing from local during a loss with maxAgeMs 0', () => {
    const rule = new TieredBusLoss(0);
    rule.disconnected(10_000);
    rule.filled('k', 10_000);
    expect(rule.mayServe('k', 10_000)).toBe(false);
  });
});
