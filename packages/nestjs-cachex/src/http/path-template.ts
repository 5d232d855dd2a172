/** A `:name` segment of a path template, as Express and Fastify write route parameters. */
const PARAM = /:([A-Za-z0-9_]+)/g;

/**
 * The parameter names a path template uses, in order.
 *
 * @example
 * templateParams('/shops/:shop/products/:id'); // ['shop', 'id']
 */
export function templateParams(template: string): string[] {
  return [...template.matchAll(PARAM)].map((match) => match[1]!);
}

/**
 * Fills a path template such as `/products/:id` with route parameters, each
 * value percent-encoded as one path segment (`a b` → `a%20b`, `a/b` →
 * `a%2Fb`), so the path is spelled as a request for it would be; `undefined`
 * when a parameter the template names is missing.
 *
 * @example
 * fillPathTemplate('/products/:id', { id: '42' }); // '/products/42'
 */
export function fillPathTemplate(
  template: string,
  params: Readonly<Record<string, unknown>>,
): string | undefined {
  let missing = false;
  const path = template.replace(PARAM, (_match, name: string) => {
    const value = params[name];
    if (value === undefined || value === null || value === '') {
      missing = true;
      return '';
    }
    return encodeURIComponent(String(value));
  });
  return missing ? undefined : path;
}
