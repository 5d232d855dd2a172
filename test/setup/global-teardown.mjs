/** Stops every server `global-setup.mjs` started. */
export default async function globalTeardown() {
  /** @type {import('./servers.mjs').ServerHandle[]} */
  const handles = globalThis.__CACHEX_SERVERS__ ?? [];
  await Promise.all(handles.map((handle) => handle.stop()));
}
