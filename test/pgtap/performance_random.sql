-- pgTAP: performance() over random ranges of days equals an independent recompute from the
-- trades with PostgreSQL's window functions (the drawdown across the whole range in closed_at
-- order, the Sharpe ratio over all of its trades), whether the days were folded in order, out
-- of order, one close per statement or many, or are left marked to derive anew; the statistics
-- traders read too (streaks by gaps and islands across the days, breakevens at a price of 100.00,
-- R-multiples from a stop on most trades).  The sequence
-- is fixed by setseed(), so a failure reproduces.
BEGIN;
CREATE EXTENSION catalyst;
SELECT plan(6);
SELECT setseed(0.42);

INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('r', 'normal', 300), ('s', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, commission)
SELECT 'o' || n, 'r', 'X', 'buy', 'market', 1, CASE WHEN n % 3 = 0 THEN NULL ELSE n * 0.10 END
FROM generate_series(1, 9) n;

-- 600 trades over 30 days of two cycles, closed one statement each in random order (so most
-- arrive before the last one folded: late in their minute or in their day), some sharing a
-- closed_at, then 200 more in one statement
CREATE TEMP TABLE plan_closes AS
SELECT i, CASE WHEN random() < 0.8 THEN 'r' ELSE 's' END AS cycle_id,
       CASE WHEN random() < 0.5 THEN 'long' ELSE 'short' END AS side,
       1 + floor(random() * 50)::int AS quantity, 'o' || (1 + floor(random() * 9)::int) AS entry_order,
       'o' || (1 + floor(random() * 9)::int) AS exit_order,
       CASE WHEN random() < 0.3 THEN 100.00 ELSE round((50 + random() * 50)::numeric, 2) END AS entry_price,
       CASE WHEN random() < 0.3 THEN 100.00 ELSE round((50 + random() * 50)::numeric, 2) END AS exit_price,
       CASE WHEN random() < 0.8 THEN round((40 + random() * 70)::numeric, 2) END AS stop_loss,
       timestamptz '2026-05-01 00:00+00' + floor(random() * 30 * 24 * 120) * interval '30 s' AS closed_at
FROM generate_series(1, 800) i;
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT * FROM plan_closes WHERE i <= 600 ORDER BY random() LOOP
        INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, exit_order_id, entry_price,
                                        stop_loss, opened_at, status, exit_price, closed_at)
        VALUES (c.cycle_id, 'X', c.side, c.quantity, c.entry_order, c.exit_order, c.entry_price, c.stop_loss,
                c.closed_at - interval '2 hours', 'closed', c.exit_price, c.closed_at);
    END LOOP;
END
$$;
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, exit_order_id, entry_price,
                                stop_loss, opened_at, status, exit_price, closed_at)
SELECT cycle_id, 'X', side, quantity, entry_order, exit_order, entry_price, stop_loss, closed_at - interval '2 hours',
       'closed', exit_price, closed_at
FROM plan_closes WHERE i > 600;

-- the reference: the metrics of a cycle's trades of trading dates a..b, from the trades alone
CREATE FUNCTION pg_temp.reference(c text, a date, b date)
RETURNS TABLE (total_trades bigint, winning_trades bigint, losing_trades bigint, gross_pnl numeric,
               commissions numeric, net_pnl numeric, largest_win numeric, largest_loss numeric,
               max_drawdown numeric, sharpe_ratio numeric, profit_factor numeric, total_volume bigint,
               expectancy numeric, payoff_ratio numeric, kelly_fraction numeric, sqn numeric, sortino_ratio numeric,
               average_mae numeric, average_mfe numeric, average_r numeric, r_trades bigint,
               longest_winning_streak bigint, longest_losing_streak bigint)
LANGUAGE sql AS $$
    WITH t AS (
        SELECT p.position_id, p.closed_at, p.realized_pnl AS pnl, p.pnl_percent AS r, p.quantity,
               coalesce(eo.commission, 0) + coalesce(xo.commission, 0) AS com,
               p.max_loss AS mae, p.max_profit AS mfe, catalyst.r_multiple(p) AS rm
        FROM catalyst.positions p
        LEFT JOIN catalyst.orders eo ON eo.order_id = p.entry_order_id
        LEFT JOIN catalyst.orders xo ON xo.order_id = p.exit_order_id
        WHERE p.cycle_id = c AND p.status = 'closed'
          AND (a IS NULL OR catalyst.trading_date(p.closed_at) >= a)
          AND (b IS NULL OR catalyst.trading_date(p.closed_at) <= b)
    ), w AS (
        SELECT t.*, sum(pnl) OVER o AS cum,
               row_number() OVER o - row_number() OVER (PARTITION BY sign(pnl) ORDER BY closed_at, position_id) AS island
        FROM t WINDOW o AS (ORDER BY closed_at, position_id)
    ), runs AS (
        SELECT sign(pnl) AS outcome, count(*) AS length FROM w GROUP BY sign(pnl), island
    ), x AS (
        SELECT w.*, greatest(max(cum) OVER o, 0) AS peak FROM w WINDOW o AS (ORDER BY closed_at, position_id)
    )
    SELECT count(*), count(*) FILTER (WHERE pnl > 0), count(*) FILTER (WHERE pnl < 0),
           coalesce(sum(pnl), 0), coalesce(sum(com), 0), coalesce(sum(pnl), 0) - coalesce(sum(com), 0),
           max(pnl) FILTER (WHERE pnl > 0), min(pnl) FILTER (WHERE pnl < 0),
           coalesce(max(peak - cum), 0),
           CASE WHEN stddev_samp(r) > 0 THEN round(greatest(least(avg(r) / stddev_samp(r), 9999.99), -9999.99), 2) END,
           CASE WHEN sum(pnl) FILTER (WHERE pnl < 0) < 0
           -- (no win: 0 wins / the losses = 0, where LEAST would take a NULL sum for 9999.99)
           THEN round(greatest(least(coalesce(sum(pnl) FILTER (WHERE pnl > 0), 0) / -sum(pnl) FILTER (WHERE pnl < 0), 9999.99), -9999.99), 2) END,
           coalesce(sum(quantity), 0),
           round(avg(pnl), 2),
           -- average win / |average loss|; W - (1 - W) / payoff, W = wins / (wins + losses): exact sums
           CASE WHEN count(*) FILTER (WHERE pnl > 0) > 0 AND count(*) FILTER (WHERE pnl < 0) > 0
           THEN round(least(sum(pnl) FILTER (WHERE pnl > 0) * count(*) FILTER (WHERE pnl < 0)
                            / (-sum(pnl) FILTER (WHERE pnl < 0) * count(*) FILTER (WHERE pnl > 0)), 9999.99), 2) END,
           CASE WHEN count(*) FILTER (WHERE pnl > 0) > 0 AND count(*) FILTER (WHERE pnl < 0) > 0
           THEN round(greatest(count(*) FILTER (WHERE pnl > 0) * sum(pnl)
                               / (count(*) FILTER (WHERE pnl <> 0) * sum(pnl) FILTER (WHERE pnl > 0)), -99.9999), 4) END,
           CASE WHEN stddev_samp(pnl) > 0
           THEN round(greatest(least(sqrt(count(*)::numeric) * avg(pnl) / stddev_samp(pnl), 9999.99), -9999.99), 2) END,
           CASE WHEN sum(least(r, 0) ^ 2) > 0
           THEN round(greatest(least(avg(r) / sqrt(avg(least(r, 0) ^ 2)), 9999.99), -9999.99), 2) END,
           round(avg(mae), 2), round(avg(mfe), 2), round(avg(rm), 4), count(rm),
           (SELECT coalesce(max(length) FILTER (WHERE outcome > 0), 0) FROM runs),
           (SELECT coalesce(max(length) FILTER (WHERE outcome < 0), 0) FROM runs)
    FROM x
$$;

-- 60 random ranges of each cycle (a few with an open bound, a few a single day, a few empty)
CREATE TEMP TABLE ranges AS
SELECT c, CASE WHEN k % 10 = 0 THEN NULL ELSE d1 END AS a, CASE WHEN k % 10 = 5 THEN NULL ELSE d2 END AS b
FROM (SELECT k, c, least(x, y) AS d1, greatest(x, y) AS d2
      FROM (SELECT k, c, date '2026-04-28' + floor(random() * 36)::int AS x,
                   date '2026-04-28' + floor(random() * 36)::int AS y
            FROM generate_series(1, 60) k, unnest(ARRAY['r', 's']) c) g) h;

CREATE TEMP VIEW mismatches AS
SELECT r.c, r.a, r.b
FROM ranges r, catalyst.performance(r.c, r.a, r.b) p, pg_temp.reference(r.c, r.a, r.b) q
WHERE (p.total_trades, p.winning_trades, p.losing_trades, p.gross_pnl, p.commissions, p.net_pnl, p.largest_win,
       p.largest_loss, p.max_drawdown, p.sharpe_ratio, p.profit_factor, p.total_volume, p.expectancy,
       p.payoff_ratio, p.kelly_fraction, p.sqn, p.sortino_ratio, p.average_mae, p.average_mfe, p.average_r,
       p.r_trades, p.longest_winning_streak, p.longest_losing_streak)
      IS DISTINCT FROM
      (q.total_trades, q.winning_trades, q.losing_trades, q.gross_pnl, q.commissions, q.net_pnl, q.largest_win,
       q.largest_loss, q.max_drawdown, q.sharpe_ratio, q.profit_factor, q.total_volume, q.expectancy,
       q.payoff_ratio, q.kelly_fraction, q.sqn, q.sortino_ratio, q.average_mae, q.average_mfe, q.average_r,
       q.r_trades, q.longest_winning_streak, q.longest_losing_streak);

SELECT ok((SELECT count(*) FROM ranges r, catalyst.performance(r.c, r.a, r.b) p WHERE p.total_trades > 0) >= 100,
          'most random ranges hold trades');
SELECT is_empty('SELECT * FROM mismatches', 'performance() over 120 random ranges equals the recompute from the trades');
-- the data exercise what the statistics tell apart
SELECT ok((SELECT count(*) FILTER (WHERE realized_pnl = 0) >= 20 AND count(*) FILTER (WHERE catalyst.r_multiple(p) IS NULL) >= 50
                  AND count(*) FILTER (WHERE catalyst.r_multiple(p) IS NOT NULL) >= 400
           FROM catalyst.positions p),
          'breakevens, trades with an R and trades without');
SELECT ok((SELECT count(*) FROM ranges r, catalyst.performance(r.c, r.a, r.b) p
           WHERE p.longest_winning_streak >= 4 AND p.longest_losing_streak >= 4) >= 20,
          'streaks of several trades');

-- commissions change and a third of the days are marked to derive anew (as a close left pending
-- under REPEATABLE READ or a correction that found the fold lock taken leaves them): every read
-- merges them
UPDATE catalyst.orders SET commission = commission + 1 WHERE order_id IN ('o1', 'o5');
INSERT INTO catalyst.metrics_pending (cycle_id, metric_date)
SELECT cycle_id, metric_date FROM catalyst.metrics_days WHERE random() < 0.33;
UPDATE catalyst.positions SET exit_price = exit_price + 1 WHERE position_id % 17 = 0;
SELECT is_empty('SELECT * FROM mismatches', 'and after corrections, commission changes and days marked to derive anew');

-- the lifetime of each cycle equals the sum of its days' rows where order does not matter
SELECT is_empty($$
    SELECT c FROM unnest(ARRAY['r', 's']) c, catalyst.performance(c) p,
           LATERAL (SELECT sum(m.total_trades) AS t, sum(m.gross_pnl) AS g, sum(m.commissions) AS k,
                           sum(m.total_volume) AS v
                    FROM catalyst.performance_metrics m WHERE m.cycle_id = c) s
    WHERE (p.total_trades, p.gross_pnl, p.commissions, p.total_volume) IS DISTINCT FROM (s.t, s.g, s.k, s.v)
$$, 'the lifetime row adds up the days of performance_metrics');

SELECT * FROM finish();
ROLLBACK;
