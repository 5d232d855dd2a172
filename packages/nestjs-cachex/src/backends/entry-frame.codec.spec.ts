import {
  decodeFrame,
  encodeFrame,
  frameBodies,
  frameHasVariants,
  frameVersion,
  splitBodies,
} from './entry-frame.codec.js';

describe('entry frame', () => {
  const head = Buffer.from([1, 0]);
  const body = Buffer.from([0, 255, 10, 13]);

  it('round-trips the metadata and the raw body after the head', () => {
    const bytes = encodeFrame(head, { status: 200, name: 'żółw' }, body);
    expect(bytes.subarray(0, 2)).toEqual(head);
    expect(decodeFrame(bytes, 2)).toEqual({ metadata: { status: 200, name: 'żółw' }, body });
  });

  it('reads nothing from bytes too short, a length past the end, or metadata that is not JSON', () => {
    const bytes = encodeFrame(head, { status: 200 }, body);
    expect(decodeFrame(bytes.subarray(0, 5), 2)).toBeUndefined();
    const overlong = Buffer.from(bytes);
    overlong.writeUInt32BE(10_000, 2);
    expect(decodeFrame(overlong, 2)).toBeUndefined();
    const garbled = Buffer.from(bytes);
    garbled[7] = 0x7b; // the JSON now opens with '{{'
    expect(decodeFrame(garbled, 2)).toBeUndefined();
  });

  it('carries encoded variants raw after the body, and splits them back in their order', () => {
    const encoded = { br: Buffer.from([1, 2, 3]), gzip: Buffer.from([0x1f, 0x8b, 0, 255]) };
    const { bodies, lengths } = frameBodies({ body, encoded });
    expect(lengths).toEqual([
      ['br', 3],
      ['gzip', 4],
    ]);
    const frame = decodeFrame(encodeFrame(head, { lengths }, ...bodies), 2)!;
    const split = splitBodies(frame.body, true, (frame.metadata as { lengths: unknown }).lengths)!;
    expect(split.body).toEqual(body);
    expect(split.encoded).toEqual(encoded);
    expect(Object.keys(split.encoded!)).toEqual(['br', 'gzip']);
  });

  it('heads a frame with version 2 when variants follow the body, else 1, and reads no other', () => {
    expect(frameVersion(undefined)).toBe(1);
    expect(frameVersion([['br', 3]])).toBe(2);
    expect(frameHasVariants(1)).toBe(false);
    expect(frameHasVariants(2)).toBe(true);
    expect(frameHasVariants(0)).toBeUndefined();
    expect(frameHasVariants(3)).toBeUndefined();
    expect(frameHasVariants(undefined)).toBeUndefined();
  });

  it('reads all the bytes as the body when no variants follow, whatever the lengths', () => {
    expect(splitBodies(body, false, [['br', 2]])).toEqual({ body });
  });

  it('reads no variants from lengths that are malformed or longer than the bytes', () => {
    expect(frameBodies({ body })).toEqual({ bodies: [body] });
    expect(splitBodies(body, false, undefined)).toEqual({ body });
    expect(splitBodies(body, true, [['br', 5]])).toBeUndefined();
    expect(splitBodies(body, true, [['br', -1]])).toBeUndefined();
    expect(splitBodies(body, true, [['br', 1.5]])).toBeUndefined();
    expect(splitBodies(body, true, null)).toBeUndefined();
    expect(splitBodies(body, true, [])).toBeUndefined();
  });
});
