/** The report page's inline stylesheet: plain, readable, printable; no web fonts, no images. */
export const pageStyle = `
:root { --fg: #1d2330; --muted: #5d6677; --line: #d9dde5; --bg: #f6f7f9; --card: #fff;
  --create: #1f7a3d; --update: #1f5fa8; --conflict: #b26a00; --reject: #b3261e; --other: #5d6677; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 16px 24px 8px; background: var(--card); border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0 0 4px; }
header p { margin: 2px 0; color: var(--muted); }
#summary { display: flex; flex-wrap: wrap; gap: 8px; padding: 12px 24px; background: var(--card); border-bottom: 1px solid var(--line); }
.count { min-width: 96px; padding: 6px 12px; border-radius: 6px; border: 1px solid var(--line); border-left: 4px solid var(--other); background: var(--bg); }
.count b { display: block; font-size: 20px; font-variant-numeric: tabular-nums; }
.count span { color: var(--muted); }
.count.create, .count.created { border-left-color: var(--create); }
.count.update, .count.updated { border-left-color: var(--update); }
.count.conflict { border-left-color: var(--conflict); }
.count.reject, .count.rejected { border-left-color: var(--reject); }
#accounting { width: 100%; margin: 2px 0 0; color: var(--muted); font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
#filters { position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; gap: 12px; align-items: center; padding: 10px 24px; background: #eef1f6; border-bottom: 1px solid var(--line); }
#filters label { color: var(--muted); }
#filters input[type=search], #filters select { font: inherit; padding: 3px 6px; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
#filters input[type=search] { width: 16em; }
main { padding: 8px 24px 40px; }
section { margin: 16px 0; }
section > h2 { font-size: 16px; margin: 0 0 8px; }
section > h2 small { color: var(--muted); font-weight: normal; }
.entry { background: var(--card); border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; padding: 8px 12px; }
.entry h3 { font-size: 14px; margin: 0 0 4px; font-weight: 600; }
.entry .where { color: var(--muted); font-weight: normal; }
.entry p { margin: 4px 0; }
table { border-collapse: collapse; width: 100%; background: var(--card); }
table.diff { table-layout: fixed; }
table.diff th:first-child { width: 22%; }
th, td { text-align: left; vertical-align: top; padding: 3px 8px; border-bottom: 1px solid var(--line); white-space: pre-wrap; overflow-wrap: anywhere; }
th { color: var(--muted); font-weight: 600; background: var(--bg); }
td.before { background: #fdf0ef; }
td.after { background: #eef8f0; }
td.none { color: var(--muted); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
details pre { margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.pager { display: flex; gap: 8px; align-items: center; margin: 8px 0; color: var(--muted); }
.pager button { font: inherit; padding: 2px 10px; }
.note { color: var(--muted); }
section[hidden] { display: none; }
`
