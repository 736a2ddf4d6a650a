-- 0003-tracks.sql - tracked jobs and their nights (issue 7, kmin nightly).
-- Applied by db/store.c inside one transaction, after which user_version = 3.
-- Never edit a released migration: add 0004-....sql and update schema.sql.
--
-- A track is a job named by `kmin run ... --track NAME`: the command to
-- repeat on every new commit of a kernel tree.  A night is one result of
-- the job: the run that answered it (or the night it was carried over
-- from, when nothing the build reads changed), the tree's state and the
-- size of the best config.  The run that creates the track is its first
-- night.

CREATE TABLE tracks (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	source TEXT NOT NULL,			-- absolute path of the kernel tree
	arch TEXT NOT NULL,
	cross_compile TEXT,			-- NULL: the arch's default
	requirements TEXT NOT NULL,		-- the --require list as given
	base TEXT NOT NULL,			-- the first run's --base (later nights start from the last best)
	metric TEXT NOT NULL,			-- 'dec', 'text', ...
	strategy TEXT NOT NULL,			-- 'greedy' or 'linear'
	max_builds INTEGER,			-- per night; NULL: none
	time_budget REAL,			-- seconds per night; NULL: the run's default
	features TEXT,				-- --features FILE (absolute); NULL: none
	created_ms INTEGER NOT NULL
);

CREATE TABLE nights (
	id INTEGER PRIMARY KEY,
	track_id INTEGER NOT NULL REFERENCES tracks(id),
	run_id INTEGER REFERENCES runs(id),	-- the run that answered; NULL: none started
	kernel_id INTEGER NOT NULL REFERENCES kernels(id),
	toolchain_id INTEGER REFERENCES toolchains(id),
	git_commit TEXT,			-- HEAD of the tree; NULL for a plain tree
	describe TEXT,
	dirty INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL CHECK (status IN ('ok', 'same', 'failed')),	-- same: carried over, nothing built
	config_sha256 TEXT,			-- the best config (NULL when failed)
	size INTEGER,				-- its metric, bytes (NULL when failed)
	carried_from INTEGER REFERENCES nights(id),	-- status 'same': the night whose result holds
	created_ms INTEGER NOT NULL
);

CREATE INDEX nights_track ON nights(track_id, id);
