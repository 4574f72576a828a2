-- a scan result
\set n random(1, 100000000)
INSERT INTO catalyst.scan_results (scan_id, cycle_id, symbol, scan_time, price, volume, momentum_score, catalyst_score)
VALUES ('s' || nextval('public.load_ids'), 'load', 'S' || :n % 500, now(), 10 + :n % 90, :n, :n % 100, :n % 97);
