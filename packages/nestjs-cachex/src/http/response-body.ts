/** A handler's result turned into the bytes the platform would send. */
export interface SerializedBody {
  body: Buffer;
  /** The content type the platform would give it when the handler set none. */
  contentType?: string;
}

/**
 * Serialises what a route handler returned the way Nest's Express adapter
 * does: objects and arrays as JSON, strings, numbers and booleans as text,
 * bytes as they are, nothing as an empty body. Returns `undefined` for what
 * cannot be stored as bytes (streams, files, web responses, functions).
 */
export function serializeResult(result: unknown): SerializedBody | undefined {
  if (result === undefined || result === null) return { body: Buffer.alloc(0) };
  if (typeof result === 'string') {
    return { body: Buffer.from(result, 'utf8'), contentType: 'text/html; charset=utf-8' };
  }
  if (typeof result === 'number' || typeof result === 'boolean' || typeof result === 'bigint') {
    return { body: Buffer.from(String(result), 'utf8'), contentType: 'text/html; charset=utf-8' };
  }
  if (result instanceof Uint8Array) {
    return { body: Buffer.from(result), contentType: 'application/octet-stream' };
  }
  if (typeof result !== 'object' || isStreamLike(result)) return undefined;
  const json = JSON.stringify(result);
  return json === undefined
    ? undefined
    : { body: Buffer.from(json, 'utf8'), contentType: 'application/json; charset=utf-8' };
}

function isStreamLike(value: object): boolean {
  return (
    typeof (value as { pipe?: unknown }).pipe === 'function' ||
    typeof (value as { getStream?: unknown }).getStream === 'function' ||
    typeof (value as { getReader?: unknown }).getReader === 'function' ||
    Symbol.asyncIterator in value ||
    (typeof Response !== 'undefined' && value instanceof Response)
  );
}
