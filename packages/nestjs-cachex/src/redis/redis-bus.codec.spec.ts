import { type CacheBusMessage } from '../backends/cache-bus.js';
import { decodeBusMessage, encodeBusMessage } from './redis-bus.codec.js';

describe('RedisBus messages', () => {
  const messages: CacheBusMessage[] = [
    { origin: 'a', invalidation: { op: 'delete', key: 'GET|||h|||/x|||' } },
    { origin: 'a', invalidation: { op: 'clear' } },
    { origin: 'a', invalidation: { op: 'clearPath', path: '/x', includeQuery: false, soft: true } },
    { origin: 'a', invalidation: { op: 'clearPattern', glob: '/x/*' } },
    { origin: 'a', invalidation: { op: 'invalidateTags', tags: ['t', 'ü 🐢'], soft: false } },
  ];

  it.each(messages)('round-trips %j', (message) => {
    expect(decodeBusMessage(encodeBusMessage(message))).toEqual(message);
  });

  it.each([
    'not json',
    'null',
    '[]',
    '{"invalidation":{"op":"clear"}}',
    '{"origin":1,"invalidation":{"op":"clear"}}',
    '{"origin":"a","invalidation":{"op":"flushall"}}',
    '{"origin":"a","invalidation":{"op":"delete"}}',
    '{"origin":"a","invalidation":{"op":"clearPath","path":"/x","soft":"yes"}}',
    '{"origin":"a","invalidation":{"op":"invalidateTags","tags":[1]}}',
    '{"origin":"a","invalidation":{"op":"clearPattern","glob":null}}',
  ])('refuses %s', (text) => {
    expect(decodeBusMessage(text)).toBeUndefined();
  });
});
