-- scripts/demo-simulate.sql: a few simulated trading days, written through catalyst's real
-- interfaces only, as a trading engine writes them: one cycle a day, scans every half hour, signals,
-- entry orders filled, long and short positions marked to market, risk refreshes, exit orders
-- filled and the positions closed (winners, losers, breakevens), the cycle stopped at the close.
-- The last day's cycle stays active with a few positions open.  Then the maintenance jobs that
-- schedule_maintenance() gives pg_cron run once.
--
--   psql -v seed=42 -v days=10 -f scripts/demo-simulate.sql
--
-- Deterministic: the same seed and days give the same trades, prices and P&L (setseed() and one
-- session's random()::numeric).  The days are the last `days` weekdays before today, 09:30 to 16:00 New
-- York time (14:30 to 21:00 UTC).  Used by scripts/demo.sh and test/t/008_demo_report.pl.
\set ON_ERROR_STOP on
\if :{?seed}
\else
\set seed 42
\endif
\if :{?days}
\else
\set days 10
\endif
SELECT set_config('demo.seed', :'seed', false) AS seed, set_config('demo.days', :'days', false) AS days \gset

DO $simulate$
DECLARE
    seed integer := current_setting('demo.seed')::integer;
    n_days integer := current_setting('demo.days')::integer;
    symbols text[] := ARRAY['AAPL', 'MSFT', 'NVDA', 'TSLA', 'AMD', 'AMZN', 'META', 'GOOGL', 'NFLX', 'JPM', 'XOM', 'COIN'];
    prices numeric[] := ARRAY[190, 410, 480, 240, 150, 175, 500, 140, 610, 195, 110, 230];
    day date;
    day_no integer := 0;
    last_day boolean;
    cycle text;
    open_at timestamptz;
    t timestamptz;
    s integer;
    k integer;
    n_trades integer;
    sym_idx integer;
    sym text;
    side text;
    qty integer;
    entry numeric;
    exit_p numeric;
    stop numeric;
    move numeric;
    outcome double precision;
    tr record;
BEGIN
    IF seed IS NULL OR n_days IS NULL OR n_days < 1 OR n_days > 250 THEN
        RAISE EXCEPTION 'demo: days must be 1 to 250, seed an integer (got seed %, days %)', seed, n_days;
    END IF;
    PERFORM setseed(((seed % 2000000) - 1000000)::double precision / 1000001);

    CREATE TEMP TABLE demo_trades (
        n serial, cycle_id text, symbol text, side text, quantity integer, entry_price numeric,
        stop_loss numeric, take_profit numeric, exit_price numeric, opened_at timestamptz,
        closed_at timestamptz, close_reason text, position_id integer) ON COMMIT DROP;

    FOR day IN
        SELECT x.d FROM (SELECT d::date AS d FROM generate_series(current_date - 400, current_date - 1, interval '1 day') d
                         WHERE extract(isodow FROM d) < 6 ORDER BY d DESC LIMIT n_days) x
        ORDER BY x.d
    LOOP
        day_no := day_no + 1;
        last_day := day_no = n_days;
        cycle := 'sim-' || to_char(day, 'YYYYMMDD');
        open_at := (day::timestamp + time '14:30') AT TIME ZONE 'UTC';

        -- the day's prices: each symbol moves up to 3 % from the last close
        FOR k IN 1 .. array_length(prices, 1) LOOP
            prices[k] := round(prices[k] * (1 + (random()::numeric - 0.48) * 0.06), 2);
        END LOOP;

        INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency, max_positions, risk_level, started_at, configuration)
        VALUES (cycle, (ARRAY['aggressive', 'normal', 'conservative'])[1 + floor(random()::numeric * 3)::int], 1800, 8,
                round((0.3 + random()::numeric * 0.5)::numeric, 2), open_at, jsonb_build_object('seed', seed, 'day', day_no));

        INSERT INTO catalyst.news_catalysts (symbol, headline, source, sentiment, sentiment_score, relevance_score,
                                             impact_level, categories, published_at)
        SELECT symbols[i], symbols[i] || ' ' || (ARRAY['beats estimates', 'guides lower', 'wins contract', 'faces probe'])[1 + (i + day_no) % 4],
               'newswire', CASE WHEN (i + day_no) % 4 IN (0, 2) THEN 'positive' ELSE 'negative' END,
               CASE WHEN (i + day_no) % 4 IN (0, 2) THEN 0.70 ELSE -0.55 END, 0.80, 'high', ARRAY['news'],
               open_at - interval '1 hour'
        FROM generate_series(1 + day_no % 3, array_length(symbols, 1), 4) i;

        -- a scan every half hour of six symbols; the best three are selected
        FOR s IN 0 .. 12 LOOP
            t := open_at + s * interval '30 minutes';
            INSERT INTO catalyst.scan_results (scan_id, cycle_id, symbol, scan_time, price, volume, change_percent,
                                               momentum_score, catalyst_score, pattern_score, technical_score,
                                               catalysts, is_selected, selection_rank)
            SELECT 'scan-' || to_char(t, 'YYYYMMDD-HH24MI'), cycle, symbols[i], t, prices[i],
                   (500000 + random()::numeric * 5000000)::bigint, round(((random()::numeric - 0.5) * 6)::numeric, 2),
                   round(random()::numeric * 100, 2), round(random()::numeric * 100, 2),
                   round(random()::numeric * 100, 2), round(random()::numeric * 100, 2),
                   '["news"]', false, NULL
            FROM generate_series(1 + (s + day_no) % 2, array_length(symbols, 1), 2) i;
            UPDATE catalyst.scan_results r SET is_selected = true, selection_rank = ranked.rank
            FROM (SELECT scan_id, symbol, scan_time, rank() OVER (ORDER BY total_score DESC, symbol) AS rank
                  FROM catalyst.scan_results WHERE cycle_id = cycle AND scan_time = t) ranked
            WHERE r.scan_time = t AND r.scan_id = ranked.scan_id AND r.symbol = ranked.symbol AND ranked.rank <= 3;
        END LOOP;

        -- four to eight trades, each from a signal
        n_trades := 4 + floor(random()::numeric * 5)::int;
        FOR k IN 1 .. n_trades LOOP
            sym_idx := 1 + floor(random()::numeric * array_length(symbols, 1))::int;
            sym := symbols[sym_idx];
            side := CASE WHEN random()::numeric < 0.65 THEN 'long' ELSE 'short' END;
            qty := (10 * (1 + floor(random()::numeric * 20)))::int;
            entry := prices[sym_idx];
            t := open_at + (15 + floor(random()::numeric * 240)) * interval '1 minute';
            -- most positions carry a stop 1 to 6 % away; some have none (the risk score says so)
            stop := CASE WHEN random()::numeric < 0.15 THEN NULL
                         WHEN side = 'long' THEN round(entry * (1 - 0.01 - random()::numeric * 0.05), 2)
                         ELSE round(entry * (1 + 0.01 + random()::numeric * 0.05), 2) END;
            outcome := random()::numeric;
            -- winners 50 %, losers 40 %, breakevens 10 %
            move := CASE WHEN outcome < 0.50 THEN 0.004 + random()::numeric * 0.025
                         WHEN outcome < 0.90 THEN -(0.003 + random()::numeric * 0.022)
                         ELSE 0 END;
            exit_p := round(entry * (1 + CASE side WHEN 'long' THEN move ELSE -move END), 2);
            INSERT INTO demo_trades (cycle_id, symbol, side, quantity, entry_price, stop_loss, take_profit, exit_price,
                                     opened_at, closed_at, close_reason)
            VALUES (cycle, sym, side, qty, entry, stop,
                    round(entry * CASE side WHEN 'long' THEN 1.03 ELSE 0.97 END, 2), exit_p, t,
                    CASE WHEN last_day AND k <= 3 THEN NULL
                         ELSE least(t + (20 + floor(random()::numeric * 300)) * interval '1 minute', open_at + interval '6 hours 25 minutes') END,
                    CASE WHEN move > 0 THEN 'take_profit' WHEN move < 0 THEN 'stop_loss' ELSE 'breakeven' END);
        END LOOP;

        INSERT INTO catalyst.trading_signals (cycle_id, symbol, signal_type, signal_strength, confidence, action, source,
                                              active, triggered_at, expired_at)
        SELECT cycle, d.symbol, CASE d.side WHEN 'long' THEN 'breakout' ELSE 'breakdown' END,
               (ARRAY['weak', 'moderate', 'strong'])[1 + d.n % 3], round((0.55 + (d.n % 40) / 100.0)::numeric, 2),
               CASE d.side WHEN 'long' THEN 'buy' ELSE 'sell' END, 'momentum-engine',
               d.closed_at IS NULL, d.opened_at - interval '2 minutes',
               CASE WHEN d.closed_at IS NOT NULL THEN d.closed_at END
        FROM demo_trades d WHERE d.cycle_id = cycle ORDER BY d.n;

        -- entry orders fill and the positions open
        FOR tr IN SELECT * FROM demo_trades WHERE cycle_id = cycle ORDER BY opened_at, n LOOP
            INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status,
                                         submitted_at, filled_at, executed_price, executed_quantity, commission)
            VALUES ('in-' || tr.n, cycle, tr.symbol, CASE tr.side WHEN 'long' THEN 'buy' ELSE 'sell' END, 'market',
                    tr.quantity, 'filled', tr.opened_at, tr.opened_at, tr.entry_price, tr.quantity, 1.00);
            INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, stop_loss,
                                            take_profit, opened_at, unrealized_pnl)
            VALUES (cycle, tr.symbol, tr.side, tr.quantity, 'in-' || tr.n, tr.entry_price, tr.stop_loss,
                    tr.take_profit, tr.opened_at, 0)
            RETURNING position_id INTO tr.position_id;
            UPDATE demo_trades SET position_id = tr.position_id WHERE n = tr.n;
        END LOOP;

        -- marked to market at midday (half the way to the exit, or a loss for the ones left open),
        -- and the risk scores refreshed, as the every-minute pg_cron job would
        UPDATE catalyst.positions p
           SET unrealized_pnl = round(CASE WHEN d.closed_at IS NULL THEN -(50 + d.n % 7 * 90)
                                           ELSE (d.exit_price - d.entry_price) * d.quantity / 2
                                                * CASE d.side WHEN 'long' THEN 1 ELSE -1 END END, 2),
               max_profit = greatest(0, (d.exit_price - d.entry_price) * d.quantity * CASE d.side WHEN 'long' THEN 1 ELSE -1 END),
               max_loss = least(0, (d.exit_price - d.entry_price) * d.quantity * CASE d.side WHEN 'long' THEN 1 ELSE -1 END)
          FROM demo_trades d
         WHERE p.position_id = d.position_id AND d.cycle_id = cycle;
        PERFORM catalyst.refresh_position_risk(cycle);

        -- exit orders fill and the positions close, in the order they closed
        FOR tr IN SELECT * FROM demo_trades WHERE cycle_id = cycle AND closed_at IS NOT NULL ORDER BY closed_at, n LOOP
            INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status,
                                         submitted_at, filled_at, executed_price, executed_quantity, commission)
            VALUES ('out-' || tr.n, cycle, tr.symbol, CASE tr.side WHEN 'long' THEN 'sell' ELSE 'buy' END,
                    CASE tr.close_reason WHEN 'take_profit' THEN 'limit' WHEN 'stop_loss' THEN 'stop' ELSE 'market' END,
                    tr.quantity, 'filled', tr.closed_at, tr.closed_at, tr.exit_price, tr.quantity, 1.00);
            UPDATE catalyst.positions
               SET status = 'closed', exit_order_id = 'out-' || tr.n, exit_price = tr.exit_price,
                   closed_at = tr.closed_at, close_reason = tr.close_reason, unrealized_pnl = 0
             WHERE position_id = tr.position_id;
        END LOOP;

        IF NOT last_day THEN
            UPDATE catalyst.trading_cycles
               SET status = 'stopped', stopped_at = open_at + interval '6 hours 30 minutes', stop_reason = 'market close'
             WHERE cycle_id = cycle;
        END IF;
    END LOOP;
END
$simulate$;

-- the maintenance jobs: scheduled with pg_cron where it runs in this database, and run once now
-- with the command pg_cron runs
SELECT catalyst.pg_cron_database() IS NOT DISTINCT FROM current_database() AS cron_here \gset
\if :cron_here
SELECT count(*) AS jobs_scheduled FROM catalyst.schedule_maintenance() \gset
\endif
SELECT command FROM catalyst.maintenance_jobs() ORDER BY job_name \gexec
