import { CACHE_OUTCOMES, type CacheOutcome } from '../http/cache-status.js';
import { type RouteMetrics } from '../metrics/cachex-metrics.service.js';
import { type AdminKeyPage, type AdminStats } from './admin.service.js';

/**
 * The page's `Content-Security-Policy`: nothing but its own stylesheet, and
 * forms that post to itself. The page has no script and loads nothing from
 * elsewhere, so it works offline and under the strictest policy.
 */
export const ADMIN_PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** What the page shows. */
export interface AdminPageModel {
  stats: AdminStats;
  keys: AdminKeyPage | { error: string };
  glob: string;
  cursor: string;
  /** The last segment of the admin path: links relative to the page start with it. */
  base: string;
  /** The result of the last purge, from the redirect that follows it. */
  message?: string;
}

/** Outcomes answered by the cache, for the hit ratio. */
const SERVED: readonly CacheOutcome[] = [
  'hit',
  'not-modified',
  'stale',
  'collapsed',
  'stale-if-error',
];

/** How many routes the "by bytes" table lists. */
const TOP_ROUTES_BY_BYTES = 20;

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The admin page: counts per route, backend calls, purge forms and a page of keys. */
export function renderAdminPage(model: AdminPageModel): string {
  const { stats, base } = model;
  const h = escapeHtml;
  const routes = [...stats.routes].sort((a, b) => b.total - a.total);
  const totals = routes.reduce((sum, row) => sum + row.total, 0);
  const served = routes.reduce((sum, row) => sum + servedCount(row), 0);
  const cells = (values: Array<string | number>) => values.map((v) => `<td>${h(String(v))}</td>`);
  const backend = stats.backend;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nestjs-cachex</title>
<link rel="stylesheet" href="${h(base)}/admin.css">
</head>
<body>
<header>
<h1>nestjs-cachex</h1>
<dl class="summary">
<div><dt>Backend</dt><dd id="backend">${h(backend.name)}</dd></div>
<div><dt>Health</dt><dd id="breaker" class="${stats.breakerOpen ? 'bad' : 'good'}">${stats.breakerOpen ? 'breaker open: backend skipped' : 'breaker closed'}</dd></div>
${stats.busConnected === undefined ? '' : `<div><dt>Bus</dt><dd id="bus" class="${stats.busConnected ? 'good' : 'bad'}">${stats.busConnected ? 'connected' : 'disconnected: invalidations may be lost'}</dd></div>\n`}<div><dt>Entries</dt><dd id="entries">${backend.entries ?? 'unknown'}</dd></div>
<div><dt>Bytes</dt><dd id="bytes">${backend.bytes === undefined ? 'unknown' : formatBytes(backend.bytes)}</dd></div>
<div><dt>Requests</dt><dd id="requests">${totals}</dd></div>
<div><dt>Served from cache</dt><dd id="ratio">${ratio(served, totals)}</dd></div>
</dl>
</header>
${model.message ? `<p class="message" role="status" id="message">${h(model.message)}</p>` : ''}
<section>
<h2>Routes by traffic</h2>
<table id="routes">
<thead><tr><th>Method</th><th>Route</th><th>Requests</th><th>From cache</th>${CACHE_OUTCOMES.map((o) => `<th>${h(o)}</th>`).join('')}</tr></thead>
<tbody>
${routes
  .map(
    (row) =>
      `<tr data-route="${h(row.route)}" data-method="${h(row.method)}">${cells([row.method, row.route, row.total, ratio(servedCount(row), row.total)]).join('')}${CACHE_OUTCOMES.map((o) => `<td data-outcome="${o}">${row.outcomes[o]}</td>`).join('')}</tr>`,
  )
  .join('\n')}
</tbody>
</table>
${routes.length === 0 ? '<p>No request for a cached route yet.</p>' : ''}
</section>
${bytesTable(routes)}
<section>
<h2>Backend calls</h2>
<table id="calls">
<thead><tr><th>Operation</th><th>ok</th><th>error</th><th>timeout</th><th>skipped</th><th>Mean ms</th><th>Max ms</th></tr></thead>
<tbody>
${backend.calls
  .map((row) => {
    const made = row.results.ok + row.results.error + row.results.timeout;
    const mean = made ? (row.seconds / made) * 1000 : 0;
    return `<tr>${cells([row.op, row.results.ok, row.results.error, row.results.timeout, row.results.skipped, mean.toFixed(3), (row.maxSeconds * 1000).toFixed(3)]).join('')}</tr>`;
  })
  .join('\n')}
</tbody>
</table>
</section>
<section>
<h2>Purge</h2>
<div class="forms">
${purgeForm(base, 'tag', 'Tag', 'products')}
${purgeForm(base, 'path', 'Path', '/products/42')}
${purgeForm(base, 'glob', 'Glob of paths', '/products/*', false)}
<form method="post" action="${h(base)}/clear" class="clear">
<button type="submit" id="clear">Clear every entry</button>
</form>
</div>
</section>
<section>
<h2>Keys</h2>
<form method="get" action="${h(base)}" class="filter">
<label>Paths matching <input name="glob" value="${h(model.glob)}"></label>
<button type="submit">List</button>
</form>
${keyList(model)}
</section>
</body>
</html>
`;
}

/** The routes that served the most bytes from the cache, biggest first. */
function bytesTable(routes: readonly RouteMetrics[]): string {
  const h = escapeHtml;
  const served = routes.filter((row) => row.bytes > 0).sort((a, b) => b.bytes - a.bytes);
  const total = served.reduce((sum, row) => sum + row.bytes, 0);
  const rows = served
    .slice(0, TOP_ROUTES_BY_BYTES)
    .map(
      (row) =>
        `<tr data-route="${h(row.route)}" data-method="${h(row.method)}" data-bytes="${row.bytes}"><td>${h(row.method)}</td><td>${h(row.route)}</td><td>${formatBytes(row.bytes)}</td><td>${ratio(row.bytes, total)}</td><td>${row.total}</td></tr>`,
    )
    .join('\n');
  return `<section>
<h2>Routes by bytes served from the cache</h2>
<table id="routes-by-bytes">
<thead><tr><th>Method</th><th>Route</th><th>Bytes</th><th>Share</th><th>Requests</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${served.length === 0 ? '<p>No byte served from the cache yet.</p>' : ''}
</section>`;
}

function purgeForm(
  base: string,
  name: string,
  label: string,
  example: string,
  soft = true,
): string {
  return `<form method="post" action="${escapeHtml(base)}/purge" id="purge-${name}">
<label>${label} <input name="${name}" placeholder="${escapeHtml(example)}" required></label>
${soft ? '<label class="soft"><input type="checkbox" name="soft" value="true"> soft (mark stale)</label>' : ''}
<button type="submit">Purge by ${name}</button>
</form>`;
}

function keyList(model: AdminPageModel): string {
  const h = escapeHtml;
  if ('error' in model.keys) return `<p class="bad">${h(model.keys.error)}</p>`;
  const { keys, next } = model.keys;
  const base = h(model.base);
  const items = keys
    .map(
      (key) =>
        `<li><a href="${base}/api/entry?key=${h(encodeURIComponent(key))}"><code>${h(key)}</code></a></li>`,
    )
    .join('\n');
  const more = next
    ? `<a id="next" href="${base}?glob=${h(encodeURIComponent(model.glob))}&amp;cursor=${h(next)}">Next page</a>`
    : '';
  return `<ul id="keys">${items}</ul>${keys.length === 0 ? '<p>No key.</p>' : ''}${more}`;
}

function servedCount(row: RouteMetrics): number {
  return SERVED.reduce((sum, outcome) => sum + row.outcomes[outcome], 0);
}

function ratio(part: number, whole: number): string {
  return whole === 0 ? '–' : `${((part / whole) * 100).toFixed(1)} %`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/** The page's stylesheet, served beside it (an inline one would need `'unsafe-inline'`). */
export const ADMIN_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1rem 2rem; color: #1d2330; background: #fafbfc; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
.summary { display: flex; flex-wrap: wrap; gap: .75rem; margin: 0; }
.summary div { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: .5rem .9rem; min-width: 8rem; }
.summary dt { font-size: .75rem; color: #5b6475; text-transform: uppercase; letter-spacing: .04em; }
.summary dd { margin: 0; font-size: 1.15rem; font-weight: 600; }
.good { color: #17803d; } .bad { color: #b42318; }
table { border-collapse: collapse; width: 100%; background: #fff; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #e6e9ee; padding: .3rem .5rem; text-align: right; white-space: nowrap; }
th:nth-child(-n+2), td:nth-child(-n+2) { text-align: left; }
thead th { background: #f0f2f5; font-weight: 600; }
.forms { display: flex; flex-wrap: wrap; gap: 1rem; }
form { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: .6rem .8rem; display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
input[name] { padding: .25rem .4rem; }
button { padding: .3rem .7rem; cursor: pointer; }
.clear button { color: #b42318; }
.message { background: #e8f4ec; border: 1px solid #9fd3b0; padding: .5rem .8rem; border-radius: 6px; }
#keys { list-style: none; padding: 0; background: #fff; border: 1px solid #dde1e7; border-radius: 6px; }
#keys li { padding: .2rem .6rem; border-bottom: 1px solid #f0f2f5; }
code { font-size: .85rem; }
`;
