import { type CacheBusMessage } from '../backends/cache-bus.js';
import { type CacheInvalidation } from '../backends/cache-invalidation.js';

/** A bus message as the text published on the Redis channel. */
export function encodeBusMessage(message: CacheBusMessage): string {
  return JSON.stringify(message);
}

/**
 * The bus message in `text`, or `undefined` when it is not one: anything
 * published on the channel by something else is ignored, never applied.
 */
export function decodeBusMessage(text: string): CacheBusMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || typeof parsed.origin !== 'string') return undefined;
  const invalidation = parsed.invalidation;
  return isInvalidation(invalidation) ? { origin: parsed.origin, invalidation } : undefined;
}

function isInvalidation(value: unknown): value is CacheInvalidation {
  if (!isRecord(value)) return false;
  switch (value.op) {
    case 'delete':
      return typeof value.key === 'string';
    case 'clear':
      return true;
    case 'clearPath':
      return (
        typeof value.path === 'string' &&
        optionalBoolean(value.includeQuery) &&
        optionalBoolean(value.soft)
      );
    case 'clearPattern':
      return typeof value.glob === 'string';
    case 'invalidateTags':
      return (
        Array.isArray(value.tags) &&
        value.tags.every((tag) => typeof tag === 'string') &&
        optionalBoolean(value.soft)
      );
    default:
      return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalBoolean(value: unknown): boolean {
  return value === undefined || typeof value === 'boolean';
}
