-- The row audit's memory does not grow with the number of distinct sets of changed columns.  An
-- UPDATE's event carries only the changed columns; 4.1 made a record type for each distinct set
-- and blessed it, and a blessed type stays in CacheMemoryContext for the backend's life.
CREATE EXTENSION catalyst;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('c1', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity)
VALUES ('o1', 'c1', 'AAPL', 'buy', 'market', 10);
INSERT INTO catalyst.positions (position_id, cycle_id, symbol, side, quantity, entry_order_id, entry_price)
VALUES (1, 'c1', 'AAPL', 'long', 10, 'o1', 100.00);

-- UPDATE number k changes the columns of the bits set in k: ten columns, 1023 distinct sets (none
-- of them a column a trigger derives, such as the excursions of 4.2)
CREATE FUNCTION pg_temp.update_columns(ks integer[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    k integer;
BEGIN
    FOREACH k IN ARRAY ks LOOP
        UPDATE catalyst.positions SET
            stop_loss = CASE WHEN k & 1 <> 0 THEN 50 + k / 100.0 ELSE stop_loss END,
            take_profit = CASE WHEN k & 2 <> 0 THEN 150 + k / 100.0 ELSE take_profit END,
            risk_score = CASE WHEN k & 4 <> 0 THEN (k % 900) / 100.0 ELSE risk_score END,
            entry_price = CASE WHEN k & 8 <> 0 THEN 100 + k / 100.0 ELSE entry_price END,
            exit_price = CASE WHEN k & 16 <> 0 THEN 100 + k / 100.0 ELSE exit_price END,
            close_reason = CASE WHEN k & 32 <> 0 THEN 'reason ' || k ELSE close_reason END,
            metadata = CASE WHEN k & 64 <> 0 THEN jsonb_build_object('k', k) ELSE metadata END,
            quantity = CASE WHEN k & 128 <> 0 THEN k + 1 ELSE quantity END,
            symbol = CASE WHEN k & 256 <> 0 THEN 'S' || k ELSE symbol END,
            pnl_percent = CASE WHEN k & 512 <> 0 THEN k ELSE pnl_percent END
        WHERE position_id = 1;
    END LOOP;
END $$;

-- warm up (the caches any first run fills): each column alone, all ten, and 100 other sets
SELECT pg_temp.update_columns(ARRAY[1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1023]);
SELECT pg_temp.update_columns(array_agg(k)) FROM generate_series(1, 1022) k
WHERE k & (k - 1) <> 0 AND k % 10 = 0;
SELECT details FROM catalyst.audit_log
WHERE entity_type = 'positions' AND event_type = 'UPDATE' AND log_id <= 13 ORDER BY log_id DESC LIMIT 2;
SELECT coalesce(sum(used_bytes), 0) AS cache_before FROM pg_backend_memory_contexts
WHERE name IN ('CacheMemoryContext', 'Record information cache') \gset

-- the other 912 sets: the caches grow by less than 64 kB (some first uses of the values; a second
-- run of the same UPDATEs adds nothing), where 4.1's blessed row types took about 1 MB
SELECT pg_temp.update_columns(array_agg(k)) FROM generate_series(1, 1022) k
WHERE k & (k - 1) <> 0 AND k % 10 <> 0;
SELECT coalesce(sum(used_bytes), 0) - :cache_before < 65536 AS cache_stayed_flat
FROM pg_backend_memory_contexts
WHERE name IN ('CacheMemoryContext', 'Record information cache');
SELECT count(*) AS update_events FROM catalyst.audit_log
WHERE entity_type = 'positions' AND event_type = 'UPDATE';
-- one event per set, each with the changed columns only
SELECT count(DISTINCT (SELECT array_agg(key ORDER BY key) FROM jsonb_object_keys(details->'new') key))
    AS distinct_column_sets
FROM catalyst.audit_log WHERE entity_type = 'positions' AND event_type = 'UPDATE';

DROP EXTENSION catalyst;
