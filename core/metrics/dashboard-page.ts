/**
 * The dashboard: one self-contained HTML page (inline CSS and script, hand-drawn SVG charts, no CDN,
 * nothing fetched but this daemon's /api/status), served at /dashboard by the metrics HTTP server.
 * The stylesheet and the script are asset files, `assets/dashboard.css` and `assets/dashboard.js`
 * (plain ES2017 for any browser), copied next to this module by `npm run build`; they are read once,
 * when the page is first requested (this module is imported only then).
 */
import { readFileSync } from 'node:fs';

function asset(name: string): string {
  return readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
}

const BODY = String.raw`
<header>
  <h1>dbmazz <small id="slot"></small></h1>
  <div class="badges">
    <span class="muted">stage</span><span id="stage" class="badge">…</span>
    <span id="stage-detail" class="muted"></span>
    <span class="muted">state</span><span id="run-state" class="badge">…</span>
    <span id="health" class="badge">…</span>
  </div>
  <div class="controls">
    <span id="token-box" hidden><input id="token" type="password" placeholder="GRPC_AUTH_TOKEN" autocomplete="off" aria-label="control token"></span>
    <button id="pause" disabled>Pause</button>
    <button id="resume" disabled>Resume</button>
  </div>
</header>
<main>
  <p id="action-result" role="status"></p>
  <div id="offline" class="banner offline" hidden></div>
  <div id="error-banner" class="banner error" hidden></div>
  <section class="cards">
    <div class="card"><div class="label">Events / s</div><div class="value" id="events-per-second">–</div></div>
    <div class="card"><div class="label">Total events</div><div class="value" id="events-total">–</div></div>
    <div class="card"><div class="label">Lag</div><div class="value" id="lag-bytes">–</div></div>
    <div class="card"><div class="label">Pending events</div><div class="value" id="lag-events">–</div></div>
    <div class="card"><div class="label">Batches sent</div><div class="value" id="batches">–</div></div>
    <div class="card"><div class="label">Rows loaded</div><div class="value" id="rows-loaded">–</div></div>
    <div class="card"><div class="label">Transactions</div><div class="value" id="commits">–</div></div>
    <div class="card"><div class="label">Memory (RSS)</div><div class="value" id="rss">–</div></div>
    <div class="card"><div class="label">CPU</div><div class="value" id="cpu">–</div></div>
    <div class="card"><div class="label">Confirmed LSN</div><div class="value small" id="confirmed-lsn">–</div></div>
    <div class="card"><div class="label">Uptime</div><div class="value small" id="uptime">–</div></div>
  </section>
  <section id="snapshots" class="panel snapshots" hidden>
    <h2>Snapshots <span class="legend" id="snapshots-summary"></span></h2>
    <div id="snapshot-bars"></div>
  </section>
  <div class="window"><span class="muted">window</span>
    <button class="secondary" data-ms="60000">1 min</button>
    <button class="secondary active" data-ms="300000">5 min</button>
    <button class="secondary" data-ms="600000">10 min</button>
  </div>
  <section class="charts">
    <div class="panel"><h2>Throughput <span class="legend" id="chart-throughput-legend"></span></h2><svg class="chart" id="chart-throughput" role="img" aria-label="throughput chart"></svg></div>
    <div class="panel"><h2>Replication lag <span class="legend" id="chart-lag-bytes-legend"></span></h2><svg class="chart" id="chart-lag-bytes" role="img" aria-label="lag in bytes chart"></svg></div>
    <div class="panel"><h2>Pending events <span class="legend" id="chart-lag-events-legend"></span></h2><svg class="chart" id="chart-lag-events" role="img" aria-label="pending events chart"></svg></div>
    <div class="panel"><h2>Memory <span class="legend" id="chart-memory-legend"></span></h2><svg class="chart" id="chart-memory" role="img" aria-label="memory chart"></svg></div>
  </section>
  <section class="grid2">
    <div class="panel">
      <h2>Tables</h2>
      <table id="tables">
        <thead><tr><th>table</th><th>inserts</th><th>updates</th><th>deletes</th><th>batches</th><th>rows loaded</th><th>avg load</th><th>failed loads</th></tr></thead>
        <tbody id="tables-body"></tbody>
      </table>
    </div>
    <div class="panel">
      <h2>Last errors <span class="legend" id="errors-count"></span></h2>
      <ul id="errors"></ul>
    </div>
  </section>
  <footer>
    <span id="updated"></span>
    <a href="/metrics">/metrics</a><a href="/healthz">/healthz</a><a href="/readyz">/readyz</a><a href="/api/status">/api/status</a>
  </footer>
</main>`;

export const DASHBOARD_HTML = [
  '<!doctype html>',
  '<html lang="en"><head><meta charset="utf-8">',
  '<meta name="viewport" content="width=device-width, initial-scale=1">',
  '<title>dbmazz dashboard</title>',
  '<link rel="icon" href="data:,">',
  `<style>\n${asset('dashboard.css')}</style>`,
  '</head><body>',
  BODY,
  `<script>\n${asset('dashboard.js')}</script>`,
  '</body></html>',
  '',
].join('\n');
