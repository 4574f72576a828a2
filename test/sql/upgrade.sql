-- The upgrade path: a database created at the released 4.1 reaches the default version through
-- ALTER EXTENSION catalyst UPDATE, and a fresh install is 4.1 plus the same update script.
SELECT source, target, path FROM pg_extension_update_paths('catalyst') WHERE path IS NOT NULL
ORDER BY source, target;

CREATE EXTENSION catalyst VERSION '4.1';
SELECT extversion FROM pg_extension WHERE extname = 'catalyst';
ALTER EXTENSION catalyst UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'catalyst';

-- a version that does not exist: PostgreSQL's own error, nothing changed
ALTER EXTENSION catalyst UPDATE TO '9.9';
SELECT extversion FROM pg_extension WHERE extname = 'catalyst';
DROP EXTENSION catalyst;

-- a fresh install of the default version
CREATE EXTENSION catalyst;
SELECT extversion FROM pg_extension WHERE extname = 'catalyst';
DROP EXTENSION catalyst;
