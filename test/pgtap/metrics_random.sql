-- pgTAP: random sequences of closes, corrections, reopenings, deletions, archiving, commission
-- changes and inserts of closed positions always leave every performance_metrics row equal to
-- the full recompute, and the recompute equal to the metrics' definitions computed here with
-- PostgreSQL's own aggregates (and window functions for the streaks).  Prices are 100.00 a
-- quarter of the time (breakevens), most positions have a stop (an R-multiple) and marks (MAE,
-- MFE).  The sequence is fixed by setseed(), so a failure reproduces.
-- days in New York (one value per database), closes on a 30-minute grid in UTC: trades cross
-- midnight and share closed_at
SELECT format('ALTER DATABASE %I SET catalyst.trading_timezone = %L', current_database(), 'America/New_York') \gexec
\c
BEGIN;
CREATE EXTENSION catalyst;
SELECT plan(12);

SELECT setseed(0.3);

INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('r1', 'normal', 300), ('r2', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, commission)
SELECT 'o' || n, 'r1', 'X', 'buy', 'market', 1, CASE WHEN n % 4 = 0 THEN NULL ELSE n * 0.25 END
FROM generate_series(1, 12) n;

CREATE TEMP TABLE ops_done (op text);

-- a random open position, or a new one if none is open
CREATE FUNCTION pg_temp.open_position() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    pid integer;
BEGIN
    SELECT position_id INTO pid FROM catalyst.positions WHERE status = 'open' ORDER BY random() LIMIT 1;
    IF pid IS NULL THEN
        INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, stop_loss,
                                        opened_at)
        VALUES (pg_temp.any_cycle(), 'X', pg_temp.any_side(), 1 + floor(random() * 100)::int, pg_temp.any_order(),
                pg_temp.any_price(), pg_temp.any_stop(), '2026-03-01 12:00+00')
        RETURNING position_id INTO pid;
    END IF;
    RETURN pid;
END
$$;
CREATE FUNCTION pg_temp.closed_position() RETURNS integer LANGUAGE sql AS $$
    SELECT position_id FROM catalyst.positions WHERE status = 'closed' ORDER BY random() LIMIT 1
$$;
CREATE FUNCTION pg_temp.any_cycle() RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN random() < 0.7 THEN 'r1' ELSE 'r2' END
$$;
CREATE FUNCTION pg_temp.any_side() RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN random() < 0.6 THEN 'long' ELSE 'short' END
$$;
CREATE FUNCTION pg_temp.any_order() RETURNS text LANGUAGE sql AS $$
    SELECT 'o' || (1 + floor(random() * 12)::int)
$$;
CREATE FUNCTION pg_temp.any_price() RETURNS numeric LANGUAGE sql AS $$
    SELECT CASE WHEN random() < 0.25 THEN 100.00 ELSE round((50 + random() * 100)::numeric, 2) END
$$;
-- a stop (an R-multiple) four times in five
CREATE FUNCTION pg_temp.any_stop() RETURNS numeric LANGUAGE sql AS $$
    SELECT CASE WHEN random() < 0.8 THEN round((40 + random() * 120)::numeric, 2) END
$$;
-- 2 to 4 March (UTC), on a 30-minute grid
CREATE FUNCTION pg_temp.any_close_time() RETURNS timestamptz LANGUAGE sql AS $$
    SELECT timestamptz '2026-03-02 00:00+00' + floor(random() * 144) * interval '30 minutes'
$$;

CREATE FUNCTION pg_temp.random_ops(n integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    pid integer;
    dice float8;
BEGIN
    FOR i IN 1..n LOOP
        dice := random();
        IF dice < 0.35 THEN
            INSERT INTO ops_done VALUES ('close');
            pid := pg_temp.open_position();
            -- a mark or two first (MAE, MFE)
            UPDATE catalyst.positions SET unrealized_pnl = round((random() * 400 - 200)::numeric, 2)
             WHERE position_id = pid AND random() < 0.7;
            UPDATE catalyst.positions SET unrealized_pnl = round((random() * 400 - 200)::numeric, 2)
             WHERE position_id = pid AND random() < 0.5;
            UPDATE catalyst.positions
               SET status = 'closed', exit_price = pg_temp.any_price(), closed_at = pg_temp.any_close_time(),
                   exit_order_id = pg_temp.any_order()
             WHERE position_id = pid;
        ELSIF dice < 0.40 THEN
            INSERT INTO ops_done VALUES ('close several in one statement');
            PERFORM pg_temp.open_position() FROM generate_series(1, 3);
            UPDATE catalyst.positions
               SET status = 'closed', exit_price = pg_temp.any_price(), closed_at = pg_temp.any_close_time()
             WHERE position_id IN (SELECT position_id FROM catalyst.positions WHERE status = 'open'
                                   ORDER BY random() LIMIT 4);
        ELSIF dice < 0.45 THEN
            INSERT INTO ops_done VALUES ('insert closed');
            INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, exit_order_id,
                                            entry_price, stop_loss, exit_price, opened_at, closed_at, status)
            VALUES (pg_temp.any_cycle(), 'Y', pg_temp.any_side(), 1 + floor(random() * 100)::int,
                    pg_temp.any_order(), pg_temp.any_order(), pg_temp.any_price(), pg_temp.any_stop(),
                    pg_temp.any_price(), '2026-03-01 12:00+00', pg_temp.any_close_time(), 'closed');
        ELSIF dice < 0.65 THEN
            pid := pg_temp.closed_position();
            dice := random();
            IF dice < 0.15 THEN
                INSERT INTO ops_done VALUES ('correct exit_price');
                UPDATE catalyst.positions SET exit_price = pg_temp.any_price() WHERE position_id = pid;
            ELSIF dice < 0.30 THEN
                INSERT INTO ops_done VALUES ('correct quantity');
                UPDATE catalyst.positions SET quantity = 1 + floor(random() * 100)::int WHERE position_id = pid;
            ELSIF dice < 0.45 THEN
                INSERT INTO ops_done VALUES ('correct closed_at');
                UPDATE catalyst.positions SET closed_at = pg_temp.any_close_time() WHERE position_id = pid;
            ELSIF dice < 0.55 THEN
                INSERT INTO ops_done VALUES ('correct entry_price');
                UPDATE catalyst.positions SET entry_price = pg_temp.any_price() WHERE position_id = pid;
            ELSIF dice < 0.65 THEN
                INSERT INTO ops_done VALUES ('correct side');
                UPDATE catalyst.positions SET side = CASE side WHEN 'long' THEN 'short' ELSE 'long' END
                 WHERE position_id = pid;
            ELSIF dice < 0.75 THEN
                INSERT INTO ops_done VALUES ('correct cycle_id');
                UPDATE catalyst.positions SET cycle_id = CASE cycle_id WHEN 'r1' THEN 'r2' ELSE 'r1' END
                 WHERE position_id = pid;
            ELSIF dice < 0.85 THEN
                INSERT INTO ops_done VALUES ('correct exit order');
                UPDATE catalyst.positions SET exit_order_id = pg_temp.any_order() WHERE position_id = pid;
            ELSE
                INSERT INTO ops_done VALUES ('correct nothing the metrics read');
                UPDATE catalyst.positions SET close_reason = 'note ' || i WHERE position_id = pid;
            END IF;
        ELSIF dice < 0.73 THEN
            INSERT INTO ops_done VALUES ('reopen');
            UPDATE catalyst.positions SET status = 'open' WHERE position_id = pg_temp.closed_position();
        ELSIF dice < 0.81 THEN
            INSERT INTO ops_done VALUES ('delete');
            DELETE FROM catalyst.positions WHERE position_id = pg_temp.closed_position();
        ELSIF dice < 0.85 THEN
            INSERT INTO ops_done VALUES ('archive');
            WITH moved AS (DELETE FROM catalyst.positions WHERE position_id = pg_temp.closed_position() RETURNING *)
            INSERT INTO catalyst.positions_archive
            SELECT (jsonb_populate_record(NULL::catalyst.positions_archive,
                                          to_jsonb(m) || jsonb_build_object('archived_at', now()))).* FROM moved m;
        ELSE
            INSERT INTO ops_done VALUES ('change a commission');
            UPDATE catalyst.orders
               SET commission = CASE WHEN random() < 0.2 THEN NULL ELSE round((random() * 5)::numeric, 2) END
             WHERE order_id = pg_temp.any_order();
        END IF;
    END LOOP;
END
$$;

\i test/include/metrics_drift.sql

-- 20 initial open positions, then ten rounds of 40 random operations
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, stop_loss, opened_at)
SELECT pg_temp.any_cycle(), 'X', pg_temp.any_side(), 1 + floor(random() * 100)::int, pg_temp.any_order(),
       pg_temp.any_price(), pg_temp.any_stop(), '2026-03-01 12:00+00'
FROM generate_series(1, 20);

SELECT pg_temp.random_ops(40);
SELECT is(pg_temp.drift(), 0::bigint, 'round 1: every metrics row equals the full recompute');
SELECT pg_temp.random_ops(40);
SELECT is(pg_temp.drift(), 0::bigint, 'round 2: every metrics row equals the full recompute');
SELECT pg_temp.random_ops(40);
SELECT is(pg_temp.drift(), 0::bigint, 'round 3: every metrics row equals the full recompute');
SELECT pg_temp.random_ops(40);
SELECT is(pg_temp.drift(), 0::bigint, 'round 4: every metrics row equals the full recompute');
SELECT pg_temp.random_ops(40);
SELECT is(pg_temp.drift(), 0::bigint, 'round 5: every metrics row equals the full recompute');
SELECT pg_temp.random_ops(40);
SELECT is(pg_temp.drift(), 0::bigint, 'round 6: every metrics row equals the full recompute');
SELECT pg_temp.random_ops(40);
SELECT is(pg_temp.drift(), 0::bigint, 'round 7: every metrics row equals the full recompute');
SELECT pg_temp.random_ops(40);
SELECT is(pg_temp.drift(), 0::bigint, 'round 8: every metrics row equals the full recompute');
SELECT pg_temp.random_ops(40);
SELECT is(pg_temp.drift(), 0::bigint, 'round 9: every metrics row equals the full recompute');
SELECT pg_temp.random_ops(40);
SELECT is(pg_temp.drift(), 0::bigint, 'round 10: every metrics row equals the full recompute');

SELECT is((SELECT count(DISTINCT op) FROM ops_done), 15::bigint,
          'every kind of operation ran at least once');

-- the definitions, with PostgreSQL's aggregates, over positions and archived positions (the
-- R-multiple by catalyst.r_multiple() itself, an archived row read as a positions row); the
-- streaks by gaps and islands in (closed_at, position_id) order: along a run of equal outcomes
-- (sign of the P&L) the row number in the day less the row number among that outcome's trades
-- is constant
CREATE TEMP VIEW by_definition AS
WITH trades AS (
    SELECT t.cycle_id, catalyst.trading_date(t.closed_at) AS day, t.position_id, t.closed_at,
           t.realized_pnl AS pnl, t.pnl_percent, t.hold_duration, t.quantity,
           COALESCE(eo.commission, 0) + COALESCE(xo.commission, 0) AS commission,
           t.max_loss AS mae, t.max_profit AS mfe, t.r
    FROM (SELECT p.*, catalyst.r_multiple(p) AS r FROM catalyst.positions p WHERE p.status = 'closed'
          UNION ALL
          SELECT (jsonb_populate_record(NULL::catalyst.positions, to_jsonb(a))).*,
                 catalyst.r_multiple(jsonb_populate_record(NULL::catalyst.positions, to_jsonb(a)))
          FROM catalyst.positions_archive a) t
    LEFT JOIN catalyst.orders eo ON eo.order_id = t.entry_order_id
    LEFT JOIN catalyst.orders xo ON xo.order_id = t.exit_order_id
), running AS (
    SELECT *, sum(pnl) OVER (PARTITION BY cycle_id, day ORDER BY closed_at, position_id) AS cum,
           row_number() OVER (PARTITION BY cycle_id, day ORDER BY closed_at, position_id)
           - row_number() OVER (PARTITION BY cycle_id, day, sign(pnl) ORDER BY closed_at, position_id) AS island
    FROM trades
), falls AS (
    SELECT *, greatest(0, max(cum) OVER (PARTITION BY cycle_id, day ORDER BY closed_at, position_id)) - cum AS fall
    FROM running
), runs AS (
    SELECT cycle_id, day, sign(pnl) AS outcome, count(*) AS length FROM running
    GROUP BY cycle_id, day, sign(pnl), island
), streaks AS (
    SELECT cycle_id, day, coalesce(max(length) FILTER (WHERE outcome > 0), 0)::int AS longest_winning_streak,
           coalesce(max(length) FILTER (WHERE outcome < 0), 0)::int AS longest_losing_streak
    FROM runs GROUP BY cycle_id, day
)
SELECT f.cycle_id, f.day, count(*)::int AS total_trades,
       count(*) FILTER (WHERE pnl > 0)::int AS winning_trades,
       count(*) FILTER (WHERE pnl < 0)::int AS losing_trades,
       round(100.0 * count(*) FILTER (WHERE pnl > 0) / count(*), 2) AS win_rate,
       sum(pnl) AS gross_pnl, sum(commission) AS commissions, sum(pnl) - sum(commission) AS net_pnl,
       round(avg(pnl) FILTER (WHERE pnl > 0), 2) AS average_win,
       round(avg(pnl) FILTER (WHERE pnl < 0), 2) AS average_loss,
       max(pnl) FILTER (WHERE pnl > 0) AS largest_win, min(pnl) FILTER (WHERE pnl < 0) AS largest_loss,
       CASE WHEN count(*) FILTER (WHERE pnl < 0) > 0
       THEN round(least(coalesce(sum(pnl) FILTER (WHERE pnl > 0), 0) / -sum(pnl) FILTER (WHERE pnl < 0), 9999.99), 2)
       END AS profit_factor,
       CASE WHEN stddev_samp(pnl_percent) > 0
       THEN round(greatest(least(avg(pnl_percent) / stddev_samp(pnl_percent), 9999.99), -9999.99), 2)
       END AS sharpe_ratio,
       max(fall) AS max_drawdown,
       CASE WHEN max(fall) > 0
       THEN round(greatest(least((sum(pnl) - sum(commission)) / max(fall), 9999.99), -9999.99), 2)
       END AS recovery_factor,
       avg(hold_duration) AS avg_hold_time, sum(quantity) AS total_volume,
       round(avg(pnl), 2) AS expectancy,
       -- average win / |average loss|, and W - (1 - W) / payoff with W = wins / (wins + losses),
       -- written with the exact sums (the averages' own rounding could tip the last digit)
       CASE WHEN count(*) FILTER (WHERE pnl > 0) > 0 AND count(*) FILTER (WHERE pnl < 0) > 0
       THEN round(least(sum(pnl) FILTER (WHERE pnl > 0) * count(*) FILTER (WHERE pnl < 0)
                        / (-sum(pnl) FILTER (WHERE pnl < 0) * count(*) FILTER (WHERE pnl > 0)), 9999.99), 2)
       END AS payoff_ratio,
       CASE WHEN count(*) FILTER (WHERE pnl > 0) > 0 AND count(*) FILTER (WHERE pnl < 0) > 0
       THEN round(greatest(count(*) FILTER (WHERE pnl > 0) * sum(pnl)
                           / (count(*) FILTER (WHERE pnl <> 0) * sum(pnl) FILTER (WHERE pnl > 0)), -99.9999), 4)
       END AS kelly_fraction,
       CASE WHEN stddev_samp(pnl) > 0
       THEN round(greatest(least(sqrt(count(*)::numeric) * avg(pnl) / stddev_samp(pnl), 9999.99), -9999.99), 2)
       END AS sqn,
       CASE WHEN sum(least(pnl_percent, 0) ^ 2) > 0
       THEN round(greatest(least(avg(pnl_percent) / sqrt(avg(least(pnl_percent, 0) ^ 2)), 9999.99), -9999.99), 2)
       END AS sortino_ratio,
       round(avg(mae), 2) AS average_mae, round(avg(mfe), 2) AS average_mfe,
       round(avg(r), 4) AS average_r, count(r)::int AS r_trades,
       s.longest_winning_streak, s.longest_losing_streak
FROM falls f JOIN streaks s ON s.cycle_id = f.cycle_id AND s.day = f.day
GROUP BY f.cycle_id, f.day, s.longest_winning_streak, s.longest_losing_streak;

SELECT is_empty($$
    SELECT d.cycle_id, d.day FROM by_definition d
    LEFT JOIN catalyst.performance_metrics m ON m.cycle_id = d.cycle_id AND m.metric_date = d.day
    WHERE m IS NULL
       OR (d.total_trades, d.winning_trades, d.losing_trades, d.win_rate, d.gross_pnl, d.commissions, d.net_pnl,
           d.average_win, d.average_loss, d.largest_win, d.largest_loss, d.profit_factor, d.sharpe_ratio,
           d.max_drawdown, d.recovery_factor, d.total_volume, d.expectancy, d.payoff_ratio, d.kelly_fraction,
           d.sqn, d.sortino_ratio, d.average_mae, d.average_mfe, d.average_r, d.r_trades,
           d.longest_winning_streak, d.longest_losing_streak)
          IS DISTINCT FROM
          (m.total_trades, m.winning_trades, m.losing_trades, m.win_rate, m.gross_pnl, m.commissions, m.net_pnl,
           m.average_win, m.average_loss, m.largest_win, m.largest_loss, m.profit_factor, m.sharpe_ratio,
           m.max_drawdown, m.recovery_factor, m.total_volume, m.expectancy, m.payoff_ratio, m.kelly_fraction,
           m.sqn, m.sortino_ratio, m.average_mae, m.average_mfe, m.average_r, m.r_trades,
           m.longest_winning_streak, m.longest_losing_streak)
       -- interval averages: PostgreSQL's avg(interval) and the state's exact seconds may round the
       -- last microsecond differently
       OR abs(extract(epoch FROM d.avg_hold_time - m.avg_hold_time)) > 0.000001
    UNION ALL
    -- a day whose trades are all gone has an empty row
    SELECT m.cycle_id, m.metric_date FROM catalyst.performance_metrics m
    WHERE m.total_trades > 0 AND NOT EXISTS (SELECT FROM by_definition d WHERE d.cycle_id = m.cycle_id AND d.day = m.metric_date)
$$, 'every metrics row matches the definitions computed with PostgreSQL''s aggregates');

SELECT * FROM finish();
ROLLBACK;
SELECT format('ALTER DATABASE %I RESET catalyst.trading_timezone', current_database()) \gexec
