-- 0006-track-budget.sql - a tracked job keeps its board budget and boot
-- check (issue 8 on nightly jobs).
-- Applied by db/store.c inside one transaction, after which user_version = 6.
-- Never edit a released migration: add 0007-....sql and update schema.sql.
--
-- `kmin run --budget flash=...,ram=...[,xip] --boot qemu:MACHINE --track
-- NAME` is a job that `kmin nightly` must repeat with the same budget (the
-- metric is then the shortfall: tracks.metric is 'budget') and the same
-- board: without these columns a night would drop them.

ALTER TABLE tracks ADD COLUMN budget TEXT;	-- --budget, canonical (kmin_budget_format); NULL: none
ALTER TABLE tracks ADD COLUMN boot TEXT;	-- --boot's board (QEMU's -M name); NULL: no boot check
