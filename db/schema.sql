-- schema.sql - the current schema of the kmin results store (user_version 6).
--
-- How this file and db/migrations/ relate: a database is only ever built
-- by applying db/migrations/NNNN-*.sql in order, each in one transaction
-- that also sets PRAGMA user_version = NNNN; a fresh database gets all of
-- them.  This file is the sum of the migrations, for people to read, and
-- test_store checks that running it gives exactly the schema the
-- migrations give.  Change the schema by adding a migration and updating
-- this file in the same commit.
--
-- The application_id ('kmin') and WAL mode are set by db/store.c when it
-- creates the file.  Times are Unix epoch milliseconds, sizes bytes.

CREATE TABLE kernels (
	id INTEGER PRIMARY KEY,
	ident TEXT NOT NULL UNIQUE,		-- kernel_id.h: "git:<commit>", "tree:<sha256>", ...
	version TEXT NOT NULL,			-- "6.1.158" from the Makefile
	source_path TEXT NOT NULL,		-- where it was last seen
	git_commit TEXT,			-- NULL for a plain tree
	git_describe TEXT,
	git_dirty INTEGER NOT NULL DEFAULT 0,
	fingerprint TEXT,			-- SHA-256 hex; NULL for a clean git tree
	created_ms INTEGER NOT NULL
);

CREATE TABLE toolchains (
	id INTEGER PRIMARY KEY,
	ident TEXT NOT NULL UNIQUE,		-- changes whenever the compiler changes
	version_text TEXT NOT NULL,		-- "arm-linux-gnueabi-gcc (Debian 12.2.0-14) 12.2.0"
	created_ms INTEGER NOT NULL
);

-- Configs are deduplicated by the SHA-256 of their normalized text
-- (kmin_config_normalize() in store.h), stored as one zstd frame.
CREATE TABLE configs (
	id INTEGER PRIMARY KEY,
	sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
	size INTEGER NOT NULL,			-- bytes of the normalized text
	content BLOB NOT NULL,			-- the normalized text, zstd frame
	created_ms INTEGER NOT NULL
);

-- One row per build, and one per request answered from the store
-- (cached_from = the build that answered, status and sizes copied).
CREATE TABLE builds (
	id INTEGER PRIMARY KEY,
	config_id INTEGER NOT NULL REFERENCES configs(id),
	kernel_id INTEGER NOT NULL REFERENCES kernels(id),
	toolchain_id INTEGER NOT NULL REFERENCES toolchains(id),
	arch TEXT NOT NULL,			-- ARCH=
	image TEXT NOT NULL,			-- image target: "zImage"
	status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'timeout')),
	text_bytes INTEGER,			-- NULL when unknown (a failed build)
	data_bytes INTEGER,
	bss_bytes INTEGER,
	image_bytes INTEGER,
	seconds REAL NOT NULL,			-- wall clock of the build
	worker TEXT NOT NULL DEFAULT '',
	started_ms INTEGER NOT NULL,
	finished_ms INTEGER NOT NULL,
	first_error TEXT,
	log_tail TEXT,
	cached_from INTEGER REFERENCES builds(id)	-- NULL: a real build
);

-- The cache lookup: newest real build of a key.
CREATE INDEX builds_key ON builds(config_id, kernel_id, toolchain_id, arch, image, id)
	WHERE cached_from IS NULL;

-- Every allocated section of a build's vmlinux, written in the build's transaction.
CREATE TABLE sections (
	build_id INTEGER NOT NULL REFERENCES builds(id),
	seq INTEGER NOT NULL,			-- order in the ELF file
	name TEXT NOT NULL,
	size INTEGER NOT NULL,
	PRIMARY KEY (build_id, seq)
) WITHOUT ROWID;

-- The search: one row per `kmin run` (0002), every decision it took as a step.
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

-- Tracked jobs (`kmin run --track NAME`) and one row per night of each (0003).
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
	created_ms INTEGER NOT NULL,
	budget TEXT,				-- --budget, canonical; NULL: none (metric is then not 'budget')
	boot TEXT				-- --boot's board (QEMU's -M name); NULL: no boot check
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

-- kmin's engine against make's olddefconfig (0004): a row per compared
-- build, and one per symbol where they differ, written with the build.
CREATE TABLE engine_checks (
	build_id INTEGER PRIMARY KEY REFERENCES builds(id),
	divergences INTEGER NOT NULL		-- number of rows in divergences for the build
);

CREATE TABLE divergences (
	build_id INTEGER NOT NULL REFERENCES engine_checks(build_id),
	symbol TEXT NOT NULL,			-- without CONFIG_
	engine TEXT NOT NULL,			-- the engine's value ("n": not set or absent)
	make TEXT NOT NULL,			-- make's value
	PRIMARY KEY (build_id, symbol)
) WITHOUT ROWID;

-- A build booted in QEMU (0005): how it ended and the kernel's Memory: line.
CREATE TABLE boots (
	build_id INTEGER PRIMARY KEY REFERENCES builds(id),	-- a real build (never a cached row)
	board TEXT NOT NULL,			-- QEMU machine: 'versatilepb', 'mps2-an385'
	status TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'timeout')),
	seconds REAL NOT NULL,			-- QEMU start to the probe's exit (ok) or to the end
	marker INTEGER NOT NULL DEFAULT 0,	-- 1: the console showed KMIN-BOOT-OK
	message TEXT,				-- why, when not ok (panic line, timeout...)
	available_k INTEGER,			-- Memory: line, KiB; NULL when none was printed
	total_k INTEGER,
	code_k INTEGER,
	rwdata_k INTEGER,
	rodata_k INTEGER,
	init_k INTEGER,
	bss_k INTEGER,
	reserved_k INTEGER,
	cma_reserved_k INTEGER,
	created_ms INTEGER NOT NULL
);
