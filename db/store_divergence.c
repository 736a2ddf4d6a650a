/*
 * store_divergence.c - where kmin's Kconfig engine and the kernel's own
 * `make olddefconfig` disagreed, kept with the build (schema 0004).
 *
 * kmin reasons about configs with its own engine and builds them with
 * make; the two must agree symbol for symbol.  When a build is compared
 * (struct kmin_build's checked), kmin_store_build_record() calls
 * kmin_store_divergences_insert() inside its transaction: one engine_checks
 * row with the count, one divergences row per differing symbol, so a
 * build and its comparison appear together or not at all.  Readers:
 * `kmin builds` (the count per build, in store.c's listing, and
 * kmin_store_divergences_foreach() for `--divergences`).
 *
 * Workload: almost always zero rows per build (the engine matches make);
 * a divergence is a bug report, so a few rows at most.  The statements
 * are prepared per call: cheap next to a build.
 */
#include <stdio.h>

#include <sqlite3.h>

#include "kmin/store.h"
#include "store_internal.h"

static int insert_check(sqlite3 *db, int64_t build_id, size_t n)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "INSERT INTO engine_checks(build_id, divergences)"
				    " VALUES (?1, ?2)", -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, build_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)n);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int kmin_store_divergences_insert(sqlite3 *db, int64_t build_id, const struct kmin_build *b)
{
	sqlite3_stmt *st = NULL;
	int rc = insert_check(db, build_id, b->ndivergences);

	if (rc == SQLITE_OK && b->ndivergences)
		rc = sqlite3_prepare_v2(db, "INSERT INTO divergences(build_id, symbol, engine, make)"
					" VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL);
	for (size_t i = 0; rc == SQLITE_OK && i < b->ndivergences; i++) {
		const struct kmin_build_divergence *d = &b->divergences[i];

		if (!d->symbol || !*d->symbol)
			return sqlite3_finalize(st), SQLITE_MISUSE;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, build_id);
		kmin_store_bind_text_or_null(st, 2, d->symbol);
		kmin_store_bind_text_or_null(st, 3, d->engine ? d->engine : "n");
		kmin_store_bind_text_or_null(st, 4, d->make ? d->make : "n");
		rc = sqlite3_step(st);
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
	}
	sqlite3_finalize(st);
	return rc;
}

/* kmin_store_divergences_foreach()'s callback and its payload. */
struct divergence_query {
	kmin_divergence_row_fn fn;
	void *payload;
};

static int divergence_row(sqlite3_stmt *st, void *arg)
{
	struct divergence_query *q = arg;
	struct kmin_divergence_row row = {
		.build_id = sqlite3_column_int64(st, 0),
		.config_sha256 = (const char *)sqlite3_column_text(st, 1),
		.symbol = (const char *)sqlite3_column_text(st, 2),
		.engine = (const char *)sqlite3_column_text(st, 3),
		.make = (const char *)sqlite3_column_text(st, 4),
	};
	int stop;

	if (!row.config_sha256 || !row.symbol || !row.engine || !row.make)
		return -SQLITE_NOMEM;
	stop = q->fn(q->payload, &row);
	return stop > 0 ? stop : 0;
}

int kmin_store_divergences_foreach(struct kmin_store *s, kmin_divergence_row_fn fn,
				   void *payload, char *err, size_t errlen)
{
	static const char what[] = "cannot list the divergences of";
	struct divergence_query q = { fn, payload };
	sqlite3 *db = kmin_store_acquire(s);	/* one read transaction for the whole listing */
	int rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		rc = kmin_store_rows(s, "SELECT d.build_id, c.sha256, d.symbol, d.engine, d.make"
				     " FROM divergences d JOIN builds b ON b.id = d.build_id"
				     " JOIN configs c ON c.id = b.config_id"
				     " ORDER BY d.build_id, d.symbol", NULL, divergence_row, &q, what,
				     err, errlen);
	else
		rc = kmin_store_sql_error(s, rc, what, err, errlen);
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	kmin_store_release(s);
	return rc;
}
