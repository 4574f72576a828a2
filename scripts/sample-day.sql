-- scripts/sample-day.sql: a small trading day, written the way a trading engine writes it:
-- a cycle starts, scans and signals come in, orders fill, positions open and some close.
-- Used by the demo (scripts/demo.sh) and by the dump/restore test; times are relative to now().
\set ON_ERROR_STOP on
BEGIN;

INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency, max_positions, risk_level, started_at)
VALUES ('demo-001', 'normal', 300, 5, 0.50, now() - interval '6 hours');

INSERT INTO catalyst.news_catalysts (symbol, headline, source, sentiment, sentiment_score, relevance_score,
                                     impact_level, categories, published_at)
VALUES ('AAPL', 'Apple beats earnings estimates', 'newswire', 'positive', 0.80, 0.90, 'high',
        ARRAY['earnings'], now() - interval '7 hours'),
       ('TSLA', 'Tesla recalls vehicles', 'newswire', 'negative', -0.60, 0.70, 'medium',
        ARRAY['recall'], now() - interval '6 hours 30 minutes');

INSERT INTO catalyst.scan_results (scan_id, cycle_id, symbol, scan_time, price, volume, change_percent,
                                   momentum_score, catalyst_score, pattern_score, technical_score,
                                   catalysts, is_selected, selection_rank)
SELECT 'scan-' || n, 'demo-001', sym, now() - interval '6 hours' + n * interval '5 minutes',
       price + n * 0.10, 1000000 + n * 1000, 1.50, 70 + n % 20, 60 + n % 30, 50, 55,
       '["earnings"]', n % 10 = 0, CASE WHEN n % 10 = 0 THEN n / 10 END
FROM (VALUES ('AAPL', 190.00), ('TSLA', 240.00), ('NVDA', 480.00)) AS s(sym, price),
     generate_series(1, 24) AS n;

INSERT INTO catalyst.trading_signals (cycle_id, symbol, signal_type, signal_strength, confidence, action, source)
VALUES ('demo-001', 'AAPL', 'breakout', 'strong', 0.85, 'buy', 'pattern-engine'),
       ('demo-001', 'TSLA', 'breakdown', 'moderate', 0.65, 'sell', 'pattern-engine'),
       ('demo-001', 'NVDA', 'momentum', 'strong', 0.90, 'buy', 'momentum-engine');

INSERT INTO catalyst.pattern_detections (cycle_id, symbol, pattern_type, timeframe, confidence,
                                         entry_point, target_price, stop_loss, risk_reward_ratio)
VALUES ('demo-001', 'AAPL', 'bull_flag', '5m', 0.80, 191.00, 196.00, 189.00, 2.50),
       ('demo-001', 'TSLA', 'head_shoulders', '15m', 0.70, 239.00, 230.00, 243.00, 2.25);

-- entry orders, filled
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status,
                             submitted_at, filled_at, executed_price, executed_quantity, commission)
VALUES ('ord-aapl-in', 'demo-001', 'AAPL', 'buy',  'market', 100, 'filled', now() - interval '5 hours', now() - interval '5 hours', 191.00, 100, 1.00),
       ('ord-tsla-in', 'demo-001', 'TSLA', 'sell', 'market',  50, 'filled', now() - interval '5 hours', now() - interval '5 hours', 239.00,  50, 1.00),
       ('ord-nvda-in', 'demo-001', 'NVDA', 'buy',  'limit',   20, 'filled', now() - interval '3 hours', now() - interval '3 hours', 481.00,  20, 1.00),
       ('ord-amd-in',  'demo-001', 'AMD',  'buy',  'market', 200, 'filled', now() - interval '1 hour',  now() - interval '1 hour',  150.00, 200, 1.00);

INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price,
                                stop_loss, take_profit, opened_at, unrealized_pnl)
VALUES ('demo-001', 'AAPL', 'long',  100, 'ord-aapl-in', 191.00, 189.00, 196.00, now() - interval '5 hours', 0),
       ('demo-001', 'TSLA', 'short',  50, 'ord-tsla-in', 239.00, 243.00, 230.00, now() - interval '5 hours', 0),
       ('demo-001', 'NVDA', 'long',   20, 'ord-nvda-in', 481.00, NULL,   500.00, now() - interval '3 hours', -240.00),
       ('demo-001', 'AMD',  'long',  200, 'ord-amd-in',  150.00, 140.00, 160.00, now() - interval '1 hour',  -650.00);

-- exit orders fill and two positions close: a winning long and a short that went wrong
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, status,
                             submitted_at, filled_at, executed_price, executed_quantity, commission)
VALUES ('ord-aapl-out', 'demo-001', 'AAPL', 'sell', 'limit',  100, 'filled', now() - interval '2 hours', now() - interval '2 hours', 195.50, 100, 1.00),
       ('ord-tsla-out', 'demo-001', 'TSLA', 'buy',  'stop',    50, 'filled', now() - interval '90 minutes', now() - interval '90 minutes', 243.00, 50, 1.00);

UPDATE catalyst.positions
   SET status = 'closed', exit_order_id = 'ord-aapl-out', exit_price = 195.50,
       closed_at = now() - interval '2 hours', close_reason = 'take_profit'
 WHERE entry_order_id = 'ord-aapl-in';
UPDATE catalyst.positions
   SET status = 'closed', exit_order_id = 'ord-tsla-out', exit_price = 243.00,
       closed_at = now() - interval '90 minutes', close_reason = 'stop_loss'
 WHERE entry_order_id = 'ord-tsla-in';

INSERT INTO catalyst.audit_log (cycle_id, event_type, event_category, user_action, details)
VALUES ('demo-001', 'cycle_started', 'trading', 'start', '{"mode": "normal"}');

COMMIT;
