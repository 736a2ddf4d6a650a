-- 0002-runs.sql - the search's runs and their steps (issue 6).
-- Applied by db/store.c inside one transaction, after which user_version = 2.
-- Never edit a released migration: add 0003-....sql and update schema.sql.
--
-- A run is one `kmin run`: what it was asked (its key says which runs are
-- "the same command", for resume), where it stands and what it found.
-- Every decision is a step, written as it happens, so a run killed with
-- kill -9 resumes from its last accepted state.

CREATE TABLE runs (
	id INTEGER PRIMARY KEY,
	key TEXT NOT NULL,			-- SHA-256 of the command's identity (kernel, toolchain, arch, requirements, base, metric, strategy)
	strategy TEXT NOT NULL,			-- 'greedy' or 'linear'
	arch TEXT NOT NULL,
	requirements TEXT NOT NULL,		-- the --require list as given
	base TEXT NOT NULL,			-- the --base as given
	metric TEXT NOT NULL,			-- 'dec', 'text', ...
	kernel_id INTEGER REFERENCES kernels(id),
	toolchain_id INTEGER REFERENCES toolchains(id),
	status TEXT NOT NULL CHECK (status IN ('running', 'done', 'budget', 'failed')),
	base_sha256 TEXT,			-- the solved base config
	base_size INTEGER,			-- its metric, bytes (NULL until built)
	final_sha256 TEXT,			-- the best config so far
	final_size INTEGER,
	builds INTEGER NOT NULL DEFAULT 0,	-- real builds started by this run
	cached INTEGER NOT NULL DEFAULT 0,	-- answers from the database
	started_ms INTEGER NOT NULL,
	finished_ms INTEGER			-- NULL while running
);

CREATE INDEX runs_key ON runs(key, id);

CREATE TABLE steps (
	run_id INTEGER NOT NULL REFERENCES runs(id),
	seq INTEGER NOT NULL,			-- 1, 2, ... in the order they happened
	kind TEXT NOT NULL CHECK (kind IN ('base', 'accept', 'reject', 'verify')),
	moves TEXT NOT NULL,			-- "SYM=n SYM2=y ..." as applied; "" for base
	config_sha256 TEXT,			-- the config built (NULL: refused in the engine)
	build_id INTEGER REFERENCES builds(id),	-- the build that answered (NULL: no build)
	reason TEXT NOT NULL DEFAULT '',	-- 'ok', 'failed', 'grew', 'lost SPI', ...
	size INTEGER,				-- metric of the config built, bytes
	saving INTEGER,				-- metric of the state before minus size
	cached INTEGER NOT NULL DEFAULT 0,	-- 1: answered from the database
	created_ms INTEGER NOT NULL,
	PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
