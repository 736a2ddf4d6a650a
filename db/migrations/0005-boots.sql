-- 0005-boots.sql - the boot oracle: a build booted in QEMU (issue 8).
-- Applied by db/store.c inside one transaction, after which user_version = 5.
-- Never edit a released migration: add 0006-....sql and update schema.sql.
--
-- `kmin build --boot` / `kmin run --boot` boot every good build of a boot
-- config (the candidate plus kmin's initramfs, include/kmin/boot.h) in
-- qemu-system-arm.  One row per build booted (a later boot of the same
-- build replaces it): how it ended, how long it took, and the kernel's
-- `Memory: …K/…K available (…K kernel code, …K rwdata, …K rodata, …K
-- init, …K bss, …K reserved, …K cma-reserved)` line in KiB as printed
-- (NULL when the console printed none: the config has no console).
-- `kmin fit` reads reserved_k and the kernel figures (include/kmin/budget.h).

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
