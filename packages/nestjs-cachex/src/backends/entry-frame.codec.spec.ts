import { decodeFrame, encodeFrame } from './entry-frame.codec.js';

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
});
