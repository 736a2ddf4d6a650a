/*
 * store_track.c - tracked jobs and their nights (store_track.h, schema 0003).
 *
 * `kmin run --track NAME` creates a row in `tracks` (the job) and one in
 * `nights` (its first result); `kmin nightly` reads the jobs back, lets a
 * run add the next night, or adds a night itself when the previous result
 * still holds; `kmin history` lists the nights.
 *
 * Workload: a handful of statements per night, from one thread, on the
 * store's own connection under its lock (store_internal.h).
 *
 * Reads join the night's kernel and toolchain identities and the builds
 * of its run, so a caller can tell "same tree, same compiler" without
 * more queries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <sqlite3.h>

#include "kmin/store_track.h"
#include "store_internal.h"

static const char *const night_status_names[] = { "ok", "same", "failed" };

const char *kmin_night_status_name(enum kmin_night_status status)
{
	return (unsigned)status < 3 ? night_status_names[status] : "?";
}

static enum kmin_night_status night_status_parse(const char *name)
{
	for (unsigned i = 0; i < 3; i++)
		if (name && !strcmp(name, night_status_names[i]))
			return (enum kmin_night_status)i;
	return KMIN_NIGHT_FAILED;
}

/* v when above floor, else NULL. */
static void bind_int_above(sqlite3_stmt *st, int i, int64_t v, int64_t floor)
{
	if (v > floor)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* A column as a malloc'ed string, NULL when SQL NULL; *oom set when strdup fails. */
static const char *col_dup(sqlite3_stmt *st, int i, bool *oom)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	char *d;

	if (!t)
		return NULL;
	d = strdup((const char *)t);
	if (!d)
		*oom = true;
	return d;
}

/* A column borrowed for the current row. */
static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* ---- tracks ---- */

int kmin_store_track_create(struct kmin_store *s, const struct kmin_track *t, int64_t *id_out,
			    char *err, size_t errlen)
{
	static const char sql[] =
		"INSERT INTO tracks(name, source, arch, cross_compile, requirements, base, metric,"
		" strategy, max_builds, time_budget, features, created_ms)"
		" VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)";
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int rc;

	if (!t->name || !*t->name || !t->source || !t->arch || !t->requirements || !t->base ||
	    !t->metric || !t->strategy) {
		if (err && errlen)
			snprintf(err, errlen, "a track needs a name, tree, arch, requirements, base, "
				 "metric and strategy");
		return KMIN_STORE_EINVAL;
	}
	db = kmin_store_acquire(s);
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, t->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, t->source, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, t->arch, -1, SQLITE_TRANSIENT);
		kmin_store_bind_text_or_null(st, 4, t->cross_compile);
		sqlite3_bind_text(st, 5, t->requirements, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 6, t->base, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 7, t->metric, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 8, t->strategy, -1, SQLITE_TRANSIENT);
		bind_int_above(st, 9, t->max_builds, 0);
		if (t->time_budget >= 0)
			sqlite3_bind_double(st, 10, t->time_budget);
		else
			sqlite3_bind_null(st, 10);
		kmin_store_bind_text_or_null(st, 11, t->features);
		sqlite3_bind_int64(st, 12, t->created_ms ? t->created_ms : kmin_store_now_ms());
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_DONE && id_out)
		*id_out = sqlite3_last_insert_rowid(db);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		if (err && errlen)
			snprintf(err, errlen, "track '%s' already exists in database '%s'", t->name,
				 kmin_store_path(s));
		rc = KMIN_STORE_EINVAL;
	} else {
		rc = rc == SQLITE_DONE ? 0
			: kmin_store_sql_error(s, rc, "cannot record the track", err, errlen);
	}
	sqlite3_finalize(st);
	kmin_store_release(s);
	return rc;
}

#define TRACK_COLUMNS \
	"id, name, source, arch, cross_compile, requirements, base, metric, strategy," \
	" COALESCE(max_builds, 0), COALESCE(time_budget, -1), features, created_ms"

/* Fill *t from a row of TRACK_COLUMNS; copy: strings duplicated, else borrowed. */
static int track_from_row(sqlite3_stmt *st, struct kmin_track *t, bool copy)
{
	bool oom = false;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	t->max_builds = sqlite3_column_int64(st, 9);
	t->time_budget = sqlite3_column_double(st, 10);
	t->created_ms = sqlite3_column_int64(st, 12);
	if (!copy) {
		t->name = col_text(st, 1);
		t->source = col_text(st, 2);
		t->arch = col_text(st, 3);
		t->cross_compile = col_text(st, 4);
		t->requirements = col_text(st, 5);
		t->base = col_text(st, 6);
		t->metric = col_text(st, 7);
		t->strategy = col_text(st, 8);
		t->features = col_text(st, 11);
		return 0;
	}
	t->name = col_dup(st, 1, &oom);
	t->source = col_dup(st, 2, &oom);
	t->arch = col_dup(st, 3, &oom);
	t->cross_compile = col_dup(st, 4, &oom);
	t->requirements = col_dup(st, 5, &oom);
	t->base = col_dup(st, 6, &oom);
	t->metric = col_dup(st, 7, &oom);
	t->strategy = col_dup(st, 8, &oom);
	t->features = col_dup(st, 11, &oom);
	if (oom) {
		kmin_track_clear(t);
		return -1;
	}
	return 0;
}

void kmin_track_clear(struct kmin_track *t)
{
	if (!t)
		return;
	free((char *)t->name);
	free((char *)t->source);
	free((char *)t->arch);
	free((char *)t->cross_compile);
	free((char *)t->requirements);
	free((char *)t->base);
	free((char *)t->metric);
	free((char *)t->strategy);
	free((char *)t->features);
	memset(t, 0, sizeof(*t));
}

int kmin_store_track_get(struct kmin_store *s, const char *name, struct kmin_track *out,
			 char *err, size_t errlen)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	db = kmin_store_acquire(s);
	rc = sqlite3_prepare_v2(db, "SELECT " TRACK_COLUMNS " FROM tracks WHERE name = ?1", -1,
				&st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW)
		rc = track_from_row(st, out, true)
			? kmin_store_sql_error(s, SQLITE_NOMEM, "cannot read the track", err, errlen)
			: 1;
	else if (rc == SQLITE_DONE)
		rc = 0;
	else
		rc = kmin_store_sql_error(s, rc, "cannot read the track", err, errlen);
	sqlite3_finalize(st);
	kmin_store_release(s);
	return rc;
}

int kmin_store_tracks_foreach(struct kmin_store *s, kmin_track_row_fn fn, void *payload,
			      char *err, size_t errlen)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int rc, stop = 0;

	db = kmin_store_acquire(s);
	rc = sqlite3_prepare_v2(db, "SELECT " TRACK_COLUMNS " FROM tracks ORDER BY id", -1, &st,
				NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kmin_track t;
		track_from_row(st, &t, false);
		stop = fn(payload, &t);
		if (stop > 0)
			break;
		rc = SQLITE_OK;
	}
	if (stop > 0)
		rc = stop;
	else
		rc = rc == SQLITE_DONE ? 0
			: kmin_store_sql_error(s, rc, "cannot list the tracks", err, errlen);
	sqlite3_finalize(st);
	kmin_store_release(s);
	return rc;
}

/* ---- nights ---- */

int kmin_store_night_add(struct kmin_store *s, struct kmin_night *n, char *err, size_t errlen)
{
	static const char sql[] =
		"INSERT INTO nights(track_id, run_id, kernel_id, toolchain_id, git_commit, describe,"
		" dirty, status, config_sha256, size, carried_from, created_ms)"
		" VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)";
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int rc;

	if (n->track_id <= 0 || n->kernel_id <= 0) {
		if (err && errlen)
			snprintf(err, errlen, "a night needs its track and kernel");
		return KMIN_STORE_EINVAL;
	}
	db = kmin_store_acquire(s);
	if (!n->created_ms)
		n->created_ms = kmin_store_now_ms();
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, n->track_id);
		bind_int_above(st, 2, n->run_id, 0);
		sqlite3_bind_int64(st, 3, n->kernel_id);
		bind_int_above(st, 4, n->toolchain_id, 0);
		kmin_store_bind_text_or_null(st, 5, n->commit && *n->commit ? n->commit : NULL);
		kmin_store_bind_text_or_null(st, 6, n->describe && *n->describe ? n->describe : NULL);
		sqlite3_bind_int(st, 7, n->dirty);
		sqlite3_bind_text(st, 8, kmin_night_status_name(n->status), -1, SQLITE_STATIC);
		kmin_store_bind_text_or_null(st, 9, n->config_sha256);
		bind_int_above(st, 10, n->size, -1);
		bind_int_above(st, 11, n->carried_from, 0);
		sqlite3_bind_int64(st, 12, n->created_ms);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_DONE)
		n->id = sqlite3_last_insert_rowid(db);
	rc = rc == SQLITE_DONE ? 0
		: kmin_store_sql_error(s, rc, "cannot record the night", err, errlen);
	sqlite3_finalize(st);
	kmin_store_release(s);
	return rc;
}

#define NIGHT_SELECT \
	"SELECT n.id, n.track_id, COALESCE(n.run_id, 0), n.kernel_id, COALESCE(n.toolchain_id, 0)," \
	" n.git_commit, n.describe, n.dirty, n.status, n.config_sha256, COALESCE(n.size, -1)," \
	" COALESCE(n.carried_from, 0), n.created_ms, k.ident, t.ident, COALESCE(r.builds, 0)" \
	" FROM nights n JOIN kernels k ON k.id = n.kernel_id" \
	" LEFT JOIN toolchains t ON t.id = n.toolchain_id" \
	" LEFT JOIN runs r ON r.id = n.run_id AND n.status != 'same'" \
	" WHERE n.track_id = ?1"

/* Fill *n from a row of NIGHT_SELECT; copy: strings duplicated, else borrowed. */
static int night_from_row(sqlite3_stmt *st, struct kmin_night *n, bool copy)
{
	bool oom = false;

	memset(n, 0, sizeof(*n));
	n->id = sqlite3_column_int64(st, 0);
	n->track_id = sqlite3_column_int64(st, 1);
	n->run_id = sqlite3_column_int64(st, 2);
	n->kernel_id = sqlite3_column_int64(st, 3);
	n->toolchain_id = sqlite3_column_int64(st, 4);
	n->dirty = sqlite3_column_int(st, 7) != 0;
	n->status = night_status_parse(col_text(st, 8));
	n->size = sqlite3_column_int64(st, 10);
	n->carried_from = sqlite3_column_int64(st, 11);
	n->created_ms = sqlite3_column_int64(st, 12);
	n->builds = sqlite3_column_int64(st, 15);
	if (!copy) {
		n->commit = col_text(st, 5);
		n->describe = col_text(st, 6);
		n->config_sha256 = col_text(st, 9);
		n->kernel_ident = col_text(st, 13);
		n->toolchain_ident = col_text(st, 14);
		return 0;
	}
	n->commit = col_dup(st, 5, &oom);
	n->describe = col_dup(st, 6, &oom);
	n->config_sha256 = col_dup(st, 9, &oom);
	n->kernel_ident = col_dup(st, 13, &oom);
	n->toolchain_ident = col_dup(st, 14, &oom);
	if (oom) {
		kmin_night_clear(n);
		return -1;
	}
	return 0;
}

void kmin_night_clear(struct kmin_night *n)
{
	if (!n)
		return;
	free((char *)n->commit);
	free((char *)n->describe);
	free((char *)n->config_sha256);
	free((char *)n->kernel_ident);
	free((char *)n->toolchain_ident);
	memset(n, 0, sizeof(*n));
}

int kmin_store_night_last(struct kmin_store *s, int64_t track_id, unsigned int flags,
			  struct kmin_night *out, char *err, size_t errlen)
{
	static const char all[] = NIGHT_SELECT " ORDER BY n.id DESC LIMIT 1";
	static const char with_result[] =
		NIGHT_SELECT " AND n.config_sha256 IS NOT NULL ORDER BY n.id DESC LIMIT 1";
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	db = kmin_store_acquire(s);
	rc = sqlite3_prepare_v2(db, flags & KMIN_NIGHT_WITH_RESULT ? with_result : all, -1, &st,
				NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, track_id);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW)
		rc = night_from_row(st, out, true)
			? kmin_store_sql_error(s, SQLITE_NOMEM, "cannot read the night", err, errlen)
			: 1;
	else if (rc == SQLITE_DONE)
		rc = 0;
	else
		rc = kmin_store_sql_error(s, rc, "cannot read the nights", err, errlen);
	sqlite3_finalize(st);
	kmin_store_release(s);
	return rc;
}

int kmin_store_nights_foreach(struct kmin_store *s, int64_t track_id, kmin_night_row_fn fn,
			      void *payload, char *err, size_t errlen)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int rc, stop = 0;

	db = kmin_store_acquire(s);
	rc = sqlite3_prepare_v2(db, NIGHT_SELECT " ORDER BY n.id", -1, &st, NULL);
	if (rc == SQLITE_OK)
		sqlite3_bind_int64(st, 1, track_id);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct kmin_night n;
		night_from_row(st, &n, false);
		stop = fn(payload, &n);
		if (stop > 0)
			break;
		rc = SQLITE_OK;
	}
	if (stop > 0)
		rc = stop;
	else
		rc = rc == SQLITE_DONE ? 0
			: kmin_store_sql_error(s, rc, "cannot list the nights", err, errlen);
	sqlite3_finalize(st);
	kmin_store_release(s);
	return rc;
}
