/**
 * The statistics the figures are computed with. No imports: the child
 * processes that time things (scenarios/*.child.mjs) load this alone, not the
 * harness (autocannon, ioredis, …).
 *
 * Two percentile rules are in use, and each figure keeps the one it was
 * published with: `quantile` (the element at ⌊q·n⌋) and `nearestRank` (the
 * ⌈p·n⌉-th smallest). They differ by one element whenever q·n is an integer.
 */

/** The median of `values` (the mean of the middle two for an even count); undefined when empty. */
export const median = (values) => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** The element at index ⌊q·n⌋ of ascending `sorted` (q from 0 to 1); undefined when empty. */
export const quantile = (sorted, q) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** The nearest-rank percentile: the ⌈p·n⌉-th smallest of ascending `sorted` (p from 0 to 1); undefined when empty. */
export const nearestRank = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
