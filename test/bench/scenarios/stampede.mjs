/**
 * Stampede: 100 requests at once to a cold `/slow` (20 ms handler), in a
 * fresh process per variant with emptied stores → how many times the handler
 * ran. The process is warmed up on `/small` first: a cold cache, not a cold
 * JIT, is what is measured (a cold process takes ms per request, so requests
 * would trickle in after the first answer was stored). The store is emptied
 * once the process is up (the next variant's starts up meanwhile, on the load
 * core, and is waited for before the burst).
 */
import { burst, runLoad, servedFromCache } from '../lib/load.mjs';
import { eachFreshServer, serverOptions, VARIANTS } from '../lib/server-process.mjs';
import { flushStores } from '../lib/stores.mjs';

export const STAMPEDE_REQUESTS = 100;

export async function runStampede(variants, ctx) {
  const results = [];
  await eachFreshServer(variants, serverOptions(ctx), async (server, variant, nextReady) => {
    await flushStores(ctx.stores, VARIANTS[variant].needs);
    await runLoad({ url: `${server.base}/small`, connections: 10, durationSec: 0.5 });
    await nextReady();
    await ctx.idleGate();
    const started = process.hrtime.bigint();
    const responses = await burst(`${server.base}/slow`, STAMPEDE_REQUESTS);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const { slow } = await server.runs();
    results.push({
      variant,
      requests: STAMPEDE_REQUESTS,
      handlerRuns: slow,
      ok: responses.filter((r) => r.status === 200).length,
      fromCache: responses.filter((r) => servedFromCache(r.headers)).length,
      collapsed: responses.filter((r) => /collapsed/.test(String(r.headers['cache-status'] ?? '')))
        .length,
      wallMs: Math.round(ms),
    });
    ctx.log(`  stampede ${variant}: handler ran ${slow}× for ${STAMPEDE_REQUESTS} requests`);
  });
  return results;
}
