/** The dashboard page's stylesheet (inlined by dashboard-page.ts; nothing is fetched from elsewhere). */
export const DASHBOARD_CSS = String.raw`
:root {
  --bg: #f4f6f9; --panel: #fff; --ink: #1c2430; --muted: #667085; --line: #e4e7ec;
  --accent: #2563eb; --accent2: #16a34a; --warn: #d97706; --bad: #dc2626; --head: #111827;
  color-scheme: light;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--ink); }
header { background: var(--head); color: #f9fafb; padding: 12px 20px; display: flex; flex-wrap: wrap; align-items: center; gap: 12px 18px; }
header h1 { font-size: 18px; margin: 0; font-weight: 650; letter-spacing: .2px; }
header h1 small { font-weight: 400; color: #9ca3af; margin-left: 6px; }
.badges { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 12px; font-weight: 600; background: #374151; color: #f9fafb; }
.badge.stage-CDC, .badge.rs-RUNNING, .badge.ok { background: #15803d; }
.badge.stage-SETUP, .badge.stage-INIT, .badge.rs-DRAINING { background: #b45309; }
.badge.rs-PAUSED { background: #1d4ed8; }
.badge.rs-STOPPED, .badge.bad { background: #b91c1c; }
.muted { color: var(--muted); }
header .muted { color: #9ca3af; }
.controls { margin-left: auto; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
button { font: inherit; font-weight: 600; border: 0; border-radius: 6px; padding: 6px 16px; cursor: pointer; background: var(--accent); color: #fff; }
button.secondary { background: #e5e7eb; color: var(--ink); }
button:disabled { opacity: .45; cursor: default; }
input[type=password] { font: inherit; padding: 5px 8px; border-radius: 6px; border: 1px solid #4b5563; background: #1f2937; color: #f9fafb; width: 180px; }
main { padding: 16px 20px 28px; max-width: 1400px; margin: 0 auto; }
#action-result { min-height: 20px; margin: 0 0 10px; font-size: 13px; }
#action-result.ok { color: var(--accent2); }
#action-result.fail { color: var(--bad); }
#action-result.pending { color: var(--muted); }
.banner { border-radius: 8px; padding: 10px 14px; margin-bottom: 12px; font-weight: 500; }
.banner.error { background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; }
.banner.offline { background: #fffbeb; color: #92400e; border: 1px solid #fde68a; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 10px; margin-bottom: 14px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card .label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .4px; }
.card .value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.card .value.small { font-size: 16px; padding-top: 5px; }
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 12px; margin-bottom: 14px; }
@media (max-width: 800px) { .charts { grid-template-columns: 1fr; } }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px 8px; }
.panel h2 { font-size: 14px; margin: 0 0 4px; display: flex; justify-content: space-between; gap: 8px; flex-wrap: wrap; }
.legend { font-weight: 400; color: var(--muted); font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 3px; border-radius: 2px; vertical-align: middle; margin: 0 4px 0 10px; }
.window { display: flex; gap: 6px; align-items: center; margin-bottom: 10px; font-size: 13px; }
.window button { padding: 3px 10px; font-weight: 500; }
.window button.active { background: var(--ink); color: #fff; }
svg.chart { width: 100%; height: 180px; display: block; }
svg.chart .grid { stroke: var(--line); stroke-width: 1; }
svg.chart .axis { fill: var(--muted); font-size: 11px; }
svg.chart .ylabel { text-anchor: end; }
svg.chart .xlabel { text-anchor: middle; }
svg.chart .xlabel.first { text-anchor: start; }
svg.chart .series { fill: none; stroke-width: 2; stroke-linejoin: round; }
svg.chart .s0 { stroke: var(--accent); }
svg.chart .s1 { stroke: var(--accent2); }
svg.chart .area { fill: var(--accent); opacity: .08; stroke: none; }
svg.chart .empty { fill: var(--muted); font-size: 13px; text-anchor: middle; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: right; padding: 6px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
th { font-size: 12px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .3px; }
.grid2 { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 12px; }
@media (max-width: 900px) { .grid2 { grid-template-columns: 1fr; } }
#errors { list-style: none; margin: 0; padding: 0; max-height: 320px; overflow: auto; }
#errors li { border-bottom: 1px solid var(--line); padding: 6px 0; font-size: 13px; }
#errors li .meta { color: var(--muted); font-size: 12px; }
#errors li.retried .meta b { color: var(--warn); }
#errors li.fatal .meta b { color: var(--bad); }
.snapshots { margin-bottom: 14px; }
.snap { display: grid; grid-template-columns: minmax(220px, 1.3fr) minmax(160px, 3fr) minmax(220px, 2fr); gap: 4px 12px; align-items: center; padding: 6px 0; border-bottom: 1px solid var(--line); font-size: 13px; }
.snap:last-child { border-bottom: 0; }
.snap .name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.snap .name .phase { font-weight: 500; font-size: 11px; margin-left: 6px; padding: 1px 7px; border-radius: 999px; background: #e5e7eb; color: var(--ink); }
.snap.copying .phase { background: #dbeafe; color: #1d4ed8; }
.snap.done .phase { background: #dcfce7; color: #15803d; }
.snap.failed .phase { background: #fee2e2; color: #b91c1c; }
.snap .bar { height: 10px; border-radius: 5px; background: #e5e7eb; overflow: hidden; }
.snap .bar .fill { height: 100%; background: var(--accent); width: 0; transition: width .4s; }
.snap.done .bar .fill { background: var(--accent2); }
.snap.failed .bar .fill { background: var(--bad); }
.snap .bar.unknown .fill { width: 100% !important; opacity: .35; background: repeating-linear-gradient(45deg, var(--accent) 0 8px, transparent 8px 16px); }
.snap .detail { color: var(--muted); font-variant-numeric: tabular-nums; }
.snap .error { grid-column: 1 / -1; color: var(--bad); }
footer { color: var(--muted); font-size: 12px; margin-top: 14px; display: flex; gap: 14px; flex-wrap: wrap; }
footer a { color: var(--accent); }
`;
