/**
 * The binary frame the Redis and Memcached backends store an entry in:
 * `[head][metadata length: u32 BE][metadata: JSON, UTF-8][body bytes]`. The
 * head is the backend's own (a format version, and for Redis a flags byte);
 * the body follows raw, so a 900 KB body costs 900 KB (no base64).
 */
export function encodeFrame(head: Buffer, metadata: unknown, body: Buffer): Buffer {
  const json = Buffer.from(JSON.stringify(metadata), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length, 0);
  return Buffer.concat([head, length, json, body]);
}

/**
 * Reads a frame whose head is `headBytes` long: its metadata and body, or
 * `undefined` when the bytes are too short, the length runs past them or the
 * metadata is not JSON. The caller checks the head itself.
 */
export function decodeFrame(
  bytes: Buffer,
  headBytes: number,
): { metadata: unknown; body: Buffer } | undefined {
  const metadataStart = headBytes + 4;
  if (bytes.length < metadataStart) return undefined;
  const metadataEnd = metadataStart + bytes.readUInt32BE(headBytes);
  if (metadataEnd > bytes.length) return undefined;
  try {
    const metadata: unknown = JSON.parse(bytes.toString('utf8', metadataStart, metadataEnd));
    return { metadata, body: bytes.subarray(metadataEnd) };
  } catch {
    return undefined;
  }
}
