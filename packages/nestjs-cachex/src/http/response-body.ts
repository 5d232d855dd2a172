/** A handler's result turned into the bytes the platform would send. */
export interface SerializedBody {
  body: Buffer;
  /** The content type the platform would give it when the handler set none. */
  contentType?: string;
}

/** How a platform turns a handler's result into bytes when the handler set no content type. */
export interface BodyRules {
  /** The content type of a string result. */
  textType: string;
  /** Whether numbers and booleans go through `json` (Fastify) or are sent as text (Express). */
  scalarsAsJson: boolean;
  /** The platform's JSON serialiser (Fastify's is the route's response schema, if any). */
  json(value: unknown): string | undefined;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Nest's Express adapter: `res.send` for text, `res.json` for objects. */
export const EXPRESS_BODY_RULES: BodyRules = {
  textType: 'text/html; charset=utf-8',
  scalarsAsJson: false,
  json: (value) => JSON.stringify(value),
};

/**
 * Serialises what a route handler returned the way the platform would:
 * objects and arrays with its JSON serialiser, strings as text of its type,
 * numbers and booleans as it does, bytes as they are, nothing as an empty
 * body. Returns `undefined` for what cannot be stored as bytes (streams,
 * files, web responses, functions).
 */
export function serializeResult(
  result: unknown,
  rules: BodyRules = EXPRESS_BODY_RULES,
): SerializedBody | undefined {
  if (result === undefined || result === null) return { body: Buffer.alloc(0) };
  if (typeof result === 'string') {
    return { body: Buffer.from(result, 'utf8'), contentType: rules.textType };
  }
  if (typeof result === 'number' || typeof result === 'boolean' || typeof result === 'bigint') {
    if (!rules.scalarsAsJson || typeof result === 'bigint') {
      return { body: Buffer.from(String(result), 'utf8'), contentType: rules.textType };
    }
    return json(result, rules);
  }
  if (result instanceof Uint8Array) {
    return { body: Buffer.from(result), contentType: 'application/octet-stream' };
  }
  if (typeof result !== 'object' || isStreamLike(result)) return undefined;
  return json(result, rules);
}

function json(value: unknown, rules: BodyRules): SerializedBody | undefined {
  const text = rules.json(value);
  return text === undefined
    ? undefined
    : { body: Buffer.from(text, 'utf8'), contentType: JSON_TYPE };
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
