/*
 * store_report.c - what `kmin report` reads from the store beyond runs and
 * steps: the sections of one build, and the kernel and toolchain a run
 * used, as people name them.
 *
 * Who calls it: src/report.c, once per report (two builds' sections, one
 * kernel, one toolchain).  Like store_run.c, each call uses the store's
 * connection under its lock (kmin_store_acquire(), store_internal.h).
 * Read-only: these calls never change the database, so they work on a
 * store opened with KMIN_STORE_READONLY.
 *
 * Errors: 0 (or 1, where stated) or a negative enum kmin_store_error with
 * a message naming the database file in err[errlen].
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "kmin/store.h"
#include "store_internal.h"

int kmin_store_sections_foreach(struct kmin_store *s, int64_t build_id, kmin_section_fn fn,
				void *payload, char *err, size_t errlen)
{
	sqlite3 *db = kmin_store_acquire(s);
	sqlite3_stmt *st = NULL;
	int rc, stop = 0;

	/* a cached row has no sections of its own: those of the build that answered */
	rc = sqlite3_prepare_v2(db, "SELECT name, size FROM sections WHERE build_id ="
				" (SELECT COALESCE(cached_from, id) FROM builds WHERE id = ?1)"
				" ORDER BY seq", -1, &st, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_int64(st, 1, build_id);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kmin_section sec = {
			.name = (const char *)sqlite3_column_text(st, 0),
			.size = sqlite3_column_int64(st, 1),
		};
		stop = fn(payload, &sec);
		if (stop > 0)
			break;
		rc = SQLITE_OK;
	}
	if (stop > 0)
		rc = stop;
	else
		rc = rc == SQLITE_DONE ? 0 : kmin_store_sql_error(s, rc, "cannot read sections of",
								  err, errlen);
	sqlite3_finalize(st);
	kmin_store_release(s);
	return rc;
}

/* The first column of a one-row query with one int64 parameter into buf; 1, 0 (no row) or error. */
static int report_text1(struct kmin_store *s, const char *sql, int64_t id, char *buf, size_t len,
			const char *what, char *err, size_t errlen)
{
	sqlite3 *db = kmin_store_acquire(s);
	sqlite3_stmt *st = NULL;
	int rc;

	if (len)
		buf[0] = '\0';
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		snprintf(buf, len, "%s", t ? t : "");
		rc = 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : kmin_store_sql_error(s, rc, what, err, errlen);
	}
	sqlite3_finalize(st);
	kmin_store_release(s);
	return rc;
}

int kmin_store_kernel_label(struct kmin_store *s, int64_t kernel_id, char *buf, size_t len,
			    char *err, size_t errlen)
{
	return report_text1(s,
			    "SELECT CASE WHEN COALESCE(git_describe, '') <> ''"
			    " THEN git_describe || CASE WHEN git_dirty THEN '-dirty' ELSE '' END"
			    " ELSE version END || ' (' || source_path || ')'"
			    " FROM kernels WHERE id = ?1",
			    kernel_id, buf, len, "cannot read the kernel from", err, errlen);
}

int kmin_store_toolchain_label(struct kmin_store *s, int64_t toolchain_id, char *buf, size_t len,
			       char *err, size_t errlen)
{
	return report_text1(s, "SELECT version_text FROM toolchains WHERE id = ?1", toolchain_id,
			    buf, len, "cannot read the toolchain from", err, errlen);
}
