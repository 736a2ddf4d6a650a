/*
 * store_report.c - what `kmin report` reads from the store beyond runs and
 * steps: the sections of one build, and the kernel and toolchain a run
 * used, as people name them.
 *
 * Who calls it: src/report.c, once per report (two builds' sections, one
 * kernel, one toolchain).  Like store_run.c, each call runs one statement
 * on the store's connection under its lock (kmin_store_rows(),
 * store_internal.h).
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

/* A read of this file: the id bound to ?1, and the caller's callback or buffer. */
struct report_query {
	int64_t id;
	kmin_section_fn fn;
	void *payload;
	char *buf;
	size_t len;
};

static void bind_id(sqlite3_stmt *st, void *arg)
{
	sqlite3_bind_int64(st, 1, ((struct report_query *)arg)->id);
}

static int section_row(sqlite3_stmt *st, void *arg)
{
	struct report_query *q = arg;
	struct kmin_section sec = {
		.name = (const char *)sqlite3_column_text(st, 0),
		.size = sqlite3_column_int64(st, 1),
	};
	int stop = q->fn(q->payload, &sec);

	return stop > 0 ? stop : 0;
}

int kmin_store_sections_foreach(struct kmin_store *s, int64_t build_id, kmin_section_fn fn,
				void *payload, char *err, size_t errlen)
{
	struct report_query q = { .id = build_id, .fn = fn, .payload = payload };

	/* a cached row has no sections of its own: those of the build that answered */
	return kmin_store_rows(s, "SELECT name, size FROM sections WHERE build_id ="
			       " (SELECT COALESCE(cached_from, id) FROM builds WHERE id = ?1)"
			       " ORDER BY seq", bind_id, section_row, &q, "cannot read sections of",
			       err, errlen);
}

static int text1_row(sqlite3_stmt *st, void *arg)
{
	struct report_query *q = arg;
	const char *t = (const char *)sqlite3_column_text(st, 0);

	snprintf(q->buf, q->len, "%s", t ? t : "");
	return 0;
}

/* The first column of a one-row query with one int64 parameter into buf; 1, 0 (no row) or error. */
static int report_text1(struct kmin_store *s, const char *sql, int64_t id, char *buf, size_t len,
			const char *what, char *err, size_t errlen)
{
	struct report_query q = { .id = id, .buf = buf, .len = len };

	if (len)
		buf[0] = '\0';
	return kmin_store_row(s, sql, bind_id, text1_row, &q, what, err, errlen);
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
