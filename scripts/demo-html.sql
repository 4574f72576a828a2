-- scripts/demo-html.sql: the demo's report, one self-contained HTML page (no script, no network:
-- the charts are SVG drawn here), printed on standard output:
--
--   psql -X -q -A -t -v seed=42 -v days=10 -f scripts/demo-html.sql -o report.html
--
-- It shows the equity curve (cumulative net P&L of the closed trades: realized_pnl less both
-- orders' commissions) with the drawdowns from its running peak shaded, each day's net P&L, each
-- day's row of performance_metrics (the columns of schema 4.1, read with SELECT), the open
-- positions with their risk, the pg_cron jobs and the audit trail's last events.  Read only.
\set ON_ERROR_STOP on
\if :{?seed}
\else
\set seed '-'
\endif
\if :{?days}
\else
\set days '-'
\endif

-- HTML escaping and money formatting, for this session only
CREATE FUNCTION pg_temp.h(v text) RETURNS text LANGUAGE sql IMMUTABLE
RETURN coalesce(replace(replace(replace(replace(v, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '');
CREATE FUNCTION pg_temp.m(v numeric) RETURNS text LANGUAGE sql IMMUTABLE
RETURN CASE WHEN v IS NULL THEN '' ELSE
    format('<span class="%s">%s</span>', CASE WHEN v < 0 THEN 'neg' WHEN v > 0 THEN 'pos' ELSE 'zero' END,
           trim(to_char(v, 'FM999,999,999,990.00'))) END;

WITH trades AS (
    SELECT p.position_id, p.closed_at, p.realized_pnl, p.realized_pnl
           - coalesce((SELECT o.commission FROM catalyst.orders o WHERE o.order_id = p.entry_order_id), 0)
           - coalesce((SELECT o.commission FROM catalyst.orders o WHERE o.order_id = p.exit_order_id), 0) AS net
    FROM (SELECT position_id, closed_at, realized_pnl, entry_order_id, exit_order_id, status FROM catalyst.positions
          UNION ALL
          SELECT position_id, closed_at, realized_pnl, entry_order_id, exit_order_id, status FROM catalyst.positions_archive) p
    WHERE p.status = 'closed'
),
curve AS (
    SELECT 0 AS i, NULL::timestamptz AS closed_at, 0::numeric AS equity
    UNION ALL
    SELECT row_number() OVER w, closed_at, sum(net) OVER w
    FROM trades WINDOW w AS (ORDER BY closed_at, position_id)
),
peaked AS (
    SELECT i, closed_at, equity, max(equity) OVER (ORDER BY i) AS peak,
           catalyst.trading_date(closed_at) AS day
    FROM curve
),
frame AS (
    -- the plot area: 60 px left for the axis, 40 right, 20 top, 40 below for the dates; the value
    -- range widened to whole steps of 1, 2 or 5 times a power of ten, four or five of them
    SELECT greatest(r.n, 1) AS n, floor(r.lo / st.step) * st.step AS lo, ceil(r.hi / st.step) * st.step AS hi,
           st.step, 900 AS w, 340 AS h, 60 AS ml, 40 AS mr, 20 AS mt, 40 AS mb
    FROM (SELECT max(i) AS n, least(min(equity), 0) AS lo, greatest(max(peak), 1) AS hi FROM peaked) r
    CROSS JOIN LATERAL (SELECT power(10, floor(log(greatest((r.hi - r.lo) / 4, 1))))::numeric AS mag) m
    CROSS JOIN LATERAL (SELECT m.mag * CASE WHEN (r.hi - r.lo) / 4 <= m.mag THEN 1 WHEN (r.hi - r.lo) / 4 <= 2 * m.mag THEN 2
                                            WHEN (r.hi - r.lo) / 4 <= 5 * m.mag THEN 5 ELSE 10 END AS step) st
),
scaled AS (
    SELECT p.*, f.ml + p.i * (f.w - f.ml - f.mr)::numeric / f.n AS x,
           f.mt + (f.hi - p.equity) * (f.h - f.mt - f.mb) / greatest(f.hi - f.lo, 1) AS y,
           f.mt + (f.hi - p.peak) * (f.h - f.mt - f.mb) / greatest(f.hi - f.lo, 1) AS py
    FROM peaked p CROSS JOIN frame f
),
ticks AS (
    SELECT v, f.mt + (f.hi - v) * (f.h - f.mt - f.mb) / greatest(f.hi - f.lo, 1) AS y
    FROM frame f CROSS JOIN LATERAL generate_series(f.lo, f.hi, f.step) v
),
days AS (
    -- the first trade of each trading day: a line and the date under the axis
    SELECT DISTINCT ON (day) day, x FROM scaled WHERE i > 0 ORDER BY day, i
),
equity_svg AS (
    SELECT format(
        '<svg id="equity-curve" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-label="Equity curve with drawdowns shaded">'
        '<rect x="0" y="0" width="%s" height="%s" fill="#fff"/>%s%s'
        '<path class="drawdown" d="%s" fill="#e4572e" fill-opacity="0.25" stroke="none"/>'
        '<polyline class="peak" points="%s" fill="none" stroke="#999" stroke-width="1" stroke-dasharray="4 3"/>'
        '<polyline class="equity" points="%s" fill="none" stroke="#1f6fb2" stroke-width="2.2" stroke-linejoin="round"/>'
        '<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333"/>%s'
        '</svg>',
        f.w, f.h, f.w, f.h, f.w, f.h,
        -- horizontal grid and the axis labels
        (SELECT string_agg(format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#eee"/>'
                                  '<text x="%s" y="%s" text-anchor="end" font-size="11" fill="#555">%s</text>',
                                  f.ml, round(t.y, 1), f.w - f.mr, round(t.y, 1), f.ml - 6, round(t.y + 4, 1),
                                  trim(to_char(t.v, 'FM999,999,990'))), '' ORDER BY t.y) FROM ticks t),
        -- the trading days
        (SELECT string_agg(format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#ddd" stroke-dasharray="2 3"/>'
                                  '<text x="%s" y="%s" font-size="10" fill="#555" transform="rotate(30 %s %s)">%s</text>',
                                  round(d.x, 1), f.mt, round(d.x, 1), f.h - f.mb, round(d.x, 1), f.h - f.mb + 12,
                                  round(d.x, 1), f.h - f.mb + 12, to_char(d.day, 'Mon DD')), '' ORDER BY d.day)
         FROM days d),
        -- the drawdown area: along the running peak, back along the equity curve
        'M ' || (SELECT string_agg(round(x, 1) || ',' || round(py, 1), ' L ' ORDER BY i) FROM scaled)
        || ' L ' || (SELECT string_agg(round(x, 1) || ',' || round(y, 1), ' L ' ORDER BY i DESC) FROM scaled) || ' Z',
        (SELECT string_agg(round(x, 1) || ',' || round(py, 1), ' ' ORDER BY i) FROM scaled),
        (SELECT string_agg(round(x, 1) || ',' || round(y, 1), ' ' ORDER BY i) FROM scaled),
        -- the zero line
        f.ml, round(f.mt + f.hi * (f.h - f.mt - f.mb) / greatest(f.hi - f.lo, 1), 1),
        f.w - f.mr, round(f.mt + f.hi * (f.h - f.mt - f.mb) / greatest(f.hi - f.lo, 1), 1),
        '') AS svg
    FROM frame f
),
daily AS (
    SELECT metric_date, sum(total_trades) AS trades, sum(winning_trades) AS wins, sum(losing_trades) AS losses,
           sum(gross_pnl) AS gross, sum(commissions) AS commissions, sum(net_pnl) AS net,
           max(largest_win) AS best, min(largest_loss) AS worst, max(max_drawdown) AS drawdown,
           CASE WHEN count(*) = 1 THEN max(win_rate) END AS win_rate,
           CASE WHEN count(*) = 1 THEN max(profit_factor) END AS profit_factor,
           CASE WHEN count(*) = 1 THEN max(sharpe_ratio) END AS sharpe,
           CASE WHEN count(*) = 1 THEN max(avg_hold_time) END AS hold
    FROM catalyst.performance_metrics
    GROUP BY metric_date
),
bars AS (
    SELECT d.*, row_number() OVER (ORDER BY metric_date) - 1 AS k, count(*) OVER () AS nb,
           max(abs(net)) OVER () AS top
    FROM daily d
),
bars_svg AS (
    SELECT format('<svg id="daily-pnl" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 900 180" width="900" height="180" role="img" aria-label="Net P&amp;L per trading day">'
                  '<rect x="0" y="0" width="900" height="180" fill="#fff"/><line x1="60" y1="85" x2="880" y2="85" stroke="#333"/>%s</svg>',
                  coalesce(string_agg(format('<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s: %s</title></rect>'
                                             '<text x="%s" y="%s" font-size="10" fill="#333" text-anchor="middle">%s</text>'
                                             '<text x="%s" y="176" font-size="10" fill="#555" text-anchor="middle">%s</text>',
                                             round(60 + k * 820.0 / nb + 2, 1),
                                             round(CASE WHEN net >= 0 THEN 85 - net * 60 / greatest(top, 1) ELSE 85 END, 1),
                                             round(greatest(820.0 / nb - 4, 1), 1),
                                             round(abs(net) * 60 / greatest(top, 1), 1),
                                             CASE WHEN net >= 0 THEN '#2e8b57' ELSE '#e4572e' END,
                                             metric_date, net,
                                             round(60 + (k + 0.5) * 820.0 / nb, 1),
                                             round(CASE WHEN net >= 0 THEN 85 - net * 60 / greatest(top, 1) - 4 ELSE 85 + abs(net) * 60 / greatest(top, 1) + 12 END, 1),
                                             trim(to_char(net, 'FM999,999,990')),
                                             round(60 + (k + 0.5) * 820.0 / nb, 1), to_char(metric_date, 'Mon DD')), '' ORDER BY k), '')) AS svg
    FROM bars
),
summary AS (
    SELECT count(*) FILTER (WHERE i > 0) AS trades,
           (SELECT equity FROM peaked ORDER BY i DESC LIMIT 1) AS final,
           (SELECT max(peak) FROM peaked) AS best,
           (SELECT min(equity - peak) FROM peaked) AS worst_drawdown,
           -- as performance_metrics counts them: by realized_pnl, before commissions
           (SELECT count(*) FROM trades WHERE realized_pnl > 0) AS winners,
           (SELECT count(*) FROM trades WHERE realized_pnl < 0) AS losers,
           (SELECT count(*) FROM trades WHERE realized_pnl = 0) AS breakevens
    FROM peaked
)
SELECT concat_ws(E'\n',
'<!DOCTYPE html>',
'<html lang="en"><head><meta charset="utf-8"><title>catalyst demo report</title>',
'<style>',
'body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px auto;max-width:1040px;color:#222}',
'h1{font-size:22px;margin-bottom:4px} h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}',
'.meta{color:#666;font-size:13px} table{border-collapse:collapse;font-size:12px;width:100%}',
'th,td{padding:3px 5px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap} th{background:#f6f6f6;white-space:normal;vertical-align:bottom} td.d{white-space:normal;word-break:break-all;font-family:monospace;font-size:11px;color:#444}',
'td.l,th.l{text-align:left} .pos{color:#2e7d32} .neg{color:#c62828} .zero{color:#777}',
'.cards{display:flex;gap:12px;margin:12px 0} .card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;flex:1}',
'.card b{display:block;font-size:18px} .legend{font-size:12px;color:#555} .sw{display:inline-block;width:12px;height:12px;vertical-align:middle;margin:0 4px 0 12px}',
'</style></head><body>',
format('<h1>catalyst demo: %s simulated trading days</h1>', pg_temp.h(:'days')),
format('<p class="meta">seed %s &middot; catalyst %s &middot; PostgreSQL %s &middot; database %s &middot; written %s</p>',
       pg_temp.h(:'seed'), pg_temp.h((SELECT extversion FROM pg_extension WHERE extname = 'catalyst')),
       pg_temp.h(current_setting('server_version')), pg_temp.h(current_database()::text),
       pg_temp.h(to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'))),
(SELECT format('<div class="cards"><div class="card">net P&amp;L<b>%s</b></div><div class="card">closed trades<b>%s</b></div>'
               '<div class="card">winners / losers / breakevens<b>%s / %s / %s</b></div>'
               '<div class="card">best equity<b>%s</b></div><div class="card">deepest drawdown<b>%s</b></div></div>',
               pg_temp.m(final), trades, winners, losers, breakevens, pg_temp.m(best), pg_temp.m(worst_drawdown))
 FROM summary),
'<h2>Equity curve</h2>',
'<p class="legend">Cumulative net P&amp;L of the closed trades in closing order (realized_pnl less the entry and exit orders'' commissions), one point per trade.'
 || '<span class="sw" style="background:#1f6fb2"></span>equity<span class="sw" style="border-top:2px dashed #999;height:0"></span>running peak'
 || '<span class="sw" style="background:#e4572e;opacity:.35"></span>drawdown</p>',
(SELECT svg FROM equity_svg),
'<h2>Net P&amp;L per trading day</h2>',
(SELECT svg FROM bars_svg),
'<h2>Daily metrics (performance_metrics)</h2>',
'<table><tr><th class="l">trading date</th><th>trades</th><th>won</th><th>lost</th><th>win rate %</th><th>gross P&amp;L</th><th>commissions</th>'
 || '<th>net P&amp;L</th><th>largest win</th><th>largest loss</th><th>profit factor</th><th>Sharpe</th><th>max drawdown</th><th>avg hold</th></tr>',
(SELECT string_agg(format('<tr><td class="l">%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>'
                          '<td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>',
                          metric_date, trades, wins, losses, pg_temp.h(win_rate::text), pg_temp.m(gross), pg_temp.m(commissions),
                          pg_temp.m(net), pg_temp.m(best), pg_temp.m(worst), pg_temp.h(profit_factor::text), pg_temp.h(sharpe::text),
                          pg_temp.m(drawdown), pg_temp.h(date_trunc('second', hold)::text)), E'\n' ORDER BY metric_date)
 FROM daily),
'</table>',
'<h2>Open positions and their risk</h2>',
'<table><tr><th>id</th><th class="l">cycle</th><th class="l">symbol</th><th class="l">side</th><th>quantity</th><th>entry</th><th>stop loss</th>'
 || '<th>unrealized P&amp;L</th><th>held</th><th>risk_score (last refresh)</th><th>risk now</th></tr>',
(SELECT coalesce(string_agg(format('<tr><td>%s</td><td class="l">%s</td><td class="l">%s</td><td class="l">%s</td><td>%s</td><td>%s</td><td>%s</td>'
                                   '<td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>',
                                   p.position_id, pg_temp.h(p.cycle_id::text), pg_temp.h(p.symbol::text), pg_temp.h(p.side::text), p.quantity,
                                   p.entry_price, coalesce(p.stop_loss::text, '<i>none</i>'), pg_temp.m(p.unrealized_pnl),
                                   pg_temp.h(date_trunc('minute', catalyst.position_hold_time(p))::text), pg_temp.h(p.risk_score::text),
                                   pg_temp.h(catalyst.catalyst_position_risk(p)::text)), E'\n' ORDER BY p.position_id),
                 '<tr><td class="l" colspan="11">no open position</td></tr>')
 FROM catalyst.positions p WHERE p.status = 'open'),
'</table>',
'<h2>Maintenance jobs (pg_cron)</h2>',
'<table><tr><th class="l">job</th><th class="l">schedule</th><th class="l">command</th></tr>',
(SELECT string_agg(format('<tr><td class="l">%s</td><td class="l">%s</td><td class="l">%s</td></tr>',
                          pg_temp.h(job_name::text), pg_temp.h(schedule::text), pg_temp.h(command::text)), E'\n' ORDER BY job_name)
 FROM catalyst.maintenance_jobs()),
'</table>',
'<h2>The audit trail: last 20 events</h2>',
'<table><tr><th>log_id</th><th class="l">created_at</th><th class="l">event</th><th class="l">category</th><th class="l">entity</th><th class="l">user</th><th class="l">details</th></tr>',
(SELECT string_agg(format('<tr><td>%s</td><td class="l">%s</td><td class="l">%s</td><td class="l">%s</td><td class="l">%s %s</td><td class="l">%s</td><td class="l d">%s</td></tr>',
                          a.log_id, pg_temp.h(to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')), pg_temp.h(a.event_type::text),
                          pg_temp.h(a.event_category::text), pg_temp.h(a.entity_type::text), pg_temp.h(a.entity_id::text),
                          pg_temp.h(a.details ->> 'user'),
                          pg_temp.h(left(CASE WHEN a.details ? 'pnl' THEN a.details - 'old' - 'new' - 'user'
                                              ELSE a.details - 'user' - 'old' END::text, 110))), E'\n' ORDER BY a.log_id DESC)
 FROM (SELECT * FROM catalyst.audit_log ORDER BY log_id DESC LIMIT 20) a),
'</table>',
'<p class="meta">Written by scripts/demo.sh from the demo database; every figure is read from catalyst''s tables, views and functions.</p>',
'</body></html>');
