-- 0004-divergences.sql - where kmin's Kconfig engine and make disagreed (issue 5).
-- Applied by db/store.c inside one transaction, after which user_version = 4.
-- Never edit a released migration: add 0005-....sql and update schema.sql.
--
-- Before each build the worker runs the kernel's own `make olddefconfig`
-- (the ground truth) and, when asked, compares its .config with what
-- kmin's engine computed for the same input.  A build that was compared
-- gets a row in engine_checks (with the number of differing symbols, 0
-- when they agree); each differing symbol is a row in divergences,
-- written in the build's transaction.  A build without an engine_checks
-- row was not compared (`kmin build --no-check`, an older kmin).

CREATE TABLE engine_checks (
	build_id INTEGER PRIMARY KEY REFERENCES builds(id),
	divergences INTEGER NOT NULL		-- number of rows in divergences for the build
);

CREATE TABLE divergences (
	build_id INTEGER NOT NULL REFERENCES engine_checks(build_id),
	symbol TEXT NOT NULL,			-- without CONFIG_
	engine TEXT NOT NULL,			-- the engine's value: "y", "m", "n" (not set or absent), "0x10", "\"text\""
	make TEXT NOT NULL,			-- make's value, written the same way
	PRIMARY KEY (build_id, symbol)
) WITHOUT ROWID;
