-- pgTAP: the risk scoring functions' signatures and properties, the contract callers rely on.
BEGIN;
CREATE EXTENSION catalyst;
SELECT plan(16);

SELECT has_function('catalyst', 'catalyst_position_risk', ARRAY['integer'], 'risk by position id');
SELECT has_function('catalyst', 'catalyst_position_risk', ARRAY['catalyst.positions'], 'risk of a positions row');
SELECT has_function('catalyst', 'calculate_position_risk', ARRAY['integer'], 'the seed''s name for risk by id');
SELECT has_function('catalyst', 'position_risk_score',
    ARRAY['numeric', 'timestamp with time zone', 'timestamp with time zone', 'numeric', 'numeric'],
    'risk of column values');
SELECT has_function('catalyst', 'refresh_position_risk', ARRAY['character varying'], 'refresh of risk_score');

SELECT function_lang_is('catalyst', 'catalyst_position_risk', ARRAY['integer'], 'c', 'risk by id is written in C');
SELECT function_lang_is('catalyst', 'catalyst_position_risk', ARRAY['catalyst.positions'], 'sql',
    'risk by row is a SQL function, for the planner to inline');
SELECT is_strict('catalyst', 'catalyst_position_risk', ARRAY['integer'], 'risk by id: NULL in, NULL out');
SELECT isnt_strict('catalyst', 'catalyst_position_risk', ARRAY['catalyst.positions'],
    'risk by row is not STRICT, which would keep it from being inlined');
SELECT volatility_is('catalyst', 'catalyst_position_risk', ARRAY['integer'], 'stable', 'risk by id is STABLE');
SELECT volatility_is('catalyst', 'position_risk_score',
    ARRAY['numeric', 'timestamp with time zone', 'timestamp with time zone', 'numeric', 'numeric'], 'stable',
    'risk of column values is STABLE (now(), settings)');
SELECT function_returns('catalyst', 'catalyst_position_risk', ARRAY['integer'], 'numeric', 'risk is numeric');
SELECT function_returns('catalyst', 'refresh_position_risk', ARRAY['character varying'], 'integer',
    'refresh returns a row count');
SELECT is((SELECT proconfig FROM pg_proc WHERE oid = 'catalyst.catalyst_position_risk(catalyst.positions)'::regprocedure),
    NULL, 'risk by row has no SET clause, which would keep it from being inlined');

SELECT throws_ok('SELECT catalyst.catalyst_position_risk(42)', 'P0002', 'position 42 does not exist',
    'an unknown id is an error naming it');
SELECT is(catalyst.refresh_position_risk(), 0, 'refresh of no positions updates none');

SELECT * FROM finish();
ROLLBACK;
