-- An event is appended to its partition of audit_log without a statement (src/audit_log.c,
-- append_directly()), as the INSERT through audit_log would append it: routed by created_at,
-- log_id and created_at from audit_log's defaults, the partition's row triggers and
-- constraints acting.  An audit_log a DBA changed (another default, a statement trigger, a
-- partition with another column) gets the INSERT statement instead, which applies them.
CREATE EXTENSION catalyst;
SET TIME ZONE 'UTC';
SET application_name = 'engine-3';
CREATE FUNCTION pg_temp.close(p integer) RETURNS void LANGUAGE sql AS $$
    UPDATE catalyst.positions SET status = 'closed', exit_price = 101.00, closed_at = now() WHERE position_id = p;
$$;
INSERT INTO catalyst.trading_cycles (cycle_id, mode, scan_frequency) VALUES ('ai', 'normal', 300);
INSERT INTO catalyst.orders (order_id, cycle_id, symbol, direction, order_type, quantity, commission)
VALUES ('in', 'ai', 'S', 'buy', 'market', 10, 1.00);
INSERT INTO catalyst.positions (cycle_id, symbol, side, quantity, entry_order_id, entry_price, opened_at)
SELECT 'ai', 'S', 'long', 10, 'in', 100.00, now() - interval '1 hour' FROM generate_series(1, 7);
CREATE TEMP TABLE seen (step text, log_id bigint, partition text, created_at_is_now boolean,
                        from_sequence boolean, user_agent text, client boolean);
CREATE FUNCTION pg_temp.seen(step text, p integer) RETURNS void LANGUAGE sql AS $$
    INSERT INTO seen
    SELECT step, a.log_id, a.tableoid::regclass::text, a.created_at = now(),
           a.log_id = currval('catalyst.audit_log_log_id_seq'), a.user_agent,
           a.ip_address IS NOT DISTINCT FROM inet_client_addr()
      FROM catalyst.audit_log a
     WHERE a.event_type = 'position_closed' AND a.entity_id = p::text;
$$;

-- as made: the event is in the month's partition, with the sequence's next log_id, now() and
-- the client; a DBA's row trigger on audit_log (cloned onto each partition) fires, and a CHECK
-- on it holds
CREATE TABLE events_seen (log_id bigint, event_type text);
CREATE FUNCTION events_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.events_seen VALUES (NEW.log_id, NEW.event_type);
    RETURN NEW;
END $$;
CREATE TRIGGER seen AFTER INSERT ON catalyst.audit_log FOR EACH ROW EXECUTE FUNCTION events_seen();
ALTER TABLE catalyst.audit_log ADD CONSTRAINT known_category CHECK (event_category <> 'forbidden');
BEGIN;
SELECT pg_temp.close(1);
SELECT pg_temp.seen('as made', 1);
COMMIT;
SELECT partition = 'catalyst.audit_log_' || to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM') AS month_partition,
       created_at_is_now, from_sequence, user_agent, client
  FROM seen WHERE step = 'as made';
SELECT e.event_type, e.log_id = s.log_id AS same_event FROM events_seen e, seen s WHERE s.step = 'as made';
DROP TRIGGER seen ON catalyst.audit_log;
ALTER TABLE catalyst.audit_log DROP CONSTRAINT known_category;

-- a statement trigger on audit_log: the INSERT statement runs, and the trigger fires once
CREATE FUNCTION statement_seen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.events_seen VALUES (NULL, 'statement');
    RETURN NULL;
END $$;
CREATE TRIGGER statement_seen AFTER INSERT ON catalyst.audit_log FOR EACH STATEMENT
    EXECUTE FUNCTION statement_seen();
SELECT pg_temp.close(2);
SELECT event_type, count(*) FROM events_seen WHERE log_id IS NULL GROUP BY event_type;
DROP TRIGGER statement_seen ON catalyst.audit_log;

-- a rule on audit_log acts (the INSERT statement runs)
CREATE RULE rule_seen AS ON INSERT TO catalyst.audit_log
    DO ALSO INSERT INTO public.events_seen VALUES (NULL, 'rule ' || NEW.event_type);
SELECT pg_temp.close(7);
SELECT event_type FROM events_seen WHERE event_type LIKE 'rule%';
DROP RULE rule_seen ON catalyst.audit_log;

-- an event whose entity_id is longer than its varchar(50): refused as the INSERT refuses it (a
-- DBA's table audited with catalyst's row trigger, keyed by a long text)
CREATE TABLE long_keys (id text PRIMARY KEY);
CREATE TRIGGER audited AFTER INSERT ON long_keys FOR EACH ROW EXECUTE FUNCTION catalyst.audit_row_change();
INSERT INTO long_keys VALUES (repeat('k', 50));
INSERT INTO long_keys VALUES (repeat('k', 51));
SELECT length(entity_id) FROM catalyst.audit_log WHERE entity_type = 'long_keys';
DROP TABLE long_keys;

-- another default for created_at: the statement evaluates it (clock_timestamp(), after now())
ALTER TABLE catalyst.audit_log ALTER COLUMN created_at SET DEFAULT clock_timestamp();
BEGIN;
SELECT pg_sleep(0.01);
SELECT pg_temp.close(3);
SELECT pg_temp.seen('clock default', 3);
COMMIT;
SELECT created_at_is_now, from_sequence FROM seen WHERE step = 'clock default';
ALTER TABLE catalyst.audit_log ALTER COLUMN created_at SET DEFAULT pg_catalog.now();

-- another default for log_id: the statement evaluates it
ALTER TABLE catalyst.audit_log ALTER COLUMN log_id SET DEFAULT 0;
SELECT pg_temp.close(4);
SELECT log_id FROM catalyst.audit_log WHERE event_type = 'position_closed' AND entity_id = '4';
ALTER TABLE catalyst.audit_log ALTER COLUMN log_id SET DEFAULT nextval('catalyst.audit_log_log_id_seq');

-- a column added with a default: the statement fills it in
ALTER TABLE catalyst.audit_log ADD COLUMN desk text DEFAULT 'desk A';
SELECT pg_temp.close(5);
SELECT desk FROM catalyst.audit_log WHERE event_type = 'position_closed' AND entity_id = '5';
ALTER TABLE catalyst.audit_log DROP COLUMN desk;

-- as made again (with the dropped column's place): directly, the sequence's next log_id
BEGIN;
SELECT pg_temp.close(6);
SELECT pg_temp.seen('again', 6);
COMMIT;
SELECT created_at_is_now, from_sequence, user_agent FROM seen WHERE step = 'again';

DROP TABLE events_seen;
DROP FUNCTION events_seen();
DROP FUNCTION statement_seen();
DROP EXTENSION catalyst;
