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

/*
 * Replace each of the n strings *f[i] (borrowed from a row) by a malloc'ed
 * copy; NULL stays NULL.  -1 when out of memory: each is then a copy or
 * NULL, for the type's _clear() to free.
 */
static int dup_strings(const char **const f[], size_t n)
{
	bool oom = false;

	for (size_t i = 0; i < n; i++) {
		if (!*f[i])
			continue;
		*f[i] = strdup(*f[i]);
		if (!*f[i])
			oom = true;
	}
	return oom ? -1 : 0;
}

/* A column borrowed for the current row. */
static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/*
 * A read of this file and what its callbacks need: the name or id bound
 * to ?1, the caller's callback, or where the row goes.
 */
struct track_query {
	const char *name;
	int64_t id;
	union {
		kmin_track_row_fn tracks;
		kmin_night_row_fn nights;
	} fn;
	void *payload;
	void *out;
};

static void bind_id(sqlite3_stmt *st, void *arg)
{
	sqlite3_bind_int64(st, 1, ((struct track_query *)arg)->id);
}

/* ---- tracks ---- */

static void track_bind(sqlite3_stmt *st, void *arg)
{
	const struct kmin_track *t = arg;

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
	kmin_store_bind_text_or_null(st, 13, t->budget);
	kmin_store_bind_text_or_null(st, 14, t->boot);
}

int kmin_store_track_create(struct kmin_store *s, const struct kmin_track *t, int64_t *id_out,
			    char *err, size_t errlen)
{
	static const char sql[] =
		"INSERT INTO tracks(name, source, arch, cross_compile, requirements, base, metric,"
		" strategy, max_builds, time_budget, features, created_ms, budget, boot)"
		" VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)";
	int rc;

	if (!t->name || !*t->name || !t->source || !t->arch || !t->requirements || !t->base ||
	    !t->metric || !t->strategy) {
		if (err && errlen)
			snprintf(err, errlen, "a track needs a name, tree, arch, requirements, base, "
				 "metric and strategy");
		return KMIN_STORE_EINVAL;
	}
	/* the binder only reads *t */
	rc = kmin_store_insert(s, sql, track_bind, (void *)t, id_out, "cannot record the track",
			       err, errlen);
	/* EINVAL is what a failed constraint gives: here the unique name */
	if (rc == KMIN_STORE_EINVAL && err && errlen)
		snprintf(err, errlen, "track '%s' already exists in database '%s'", t->name,
			 kmin_store_path(s));
	return rc;
}

#define TRACK_COLUMNS \
	"id, name, source, arch, cross_compile, requirements, base, metric, strategy," \
	" COALESCE(max_builds, 0), COALESCE(time_budget, -1), features, created_ms, budget, boot"

/* Fill *t from a row of TRACK_COLUMNS; copy: strings duplicated, else borrowed. */
static int track_from_row(sqlite3_stmt *st, struct kmin_track *t, bool copy)
{
	const char **const strings[] = { &t->name, &t->source, &t->arch, &t->cross_compile,
					 &t->requirements, &t->base, &t->metric, &t->strategy,
					 &t->features, &t->budget, &t->boot };

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	t->max_builds = sqlite3_column_int64(st, 9);
	t->time_budget = sqlite3_column_double(st, 10);
	t->created_ms = sqlite3_column_int64(st, 12);
	t->name = col_text(st, 1);
	t->source = col_text(st, 2);
	t->arch = col_text(st, 3);
	t->cross_compile = col_text(st, 4);
	t->requirements = col_text(st, 5);
	t->base = col_text(st, 6);
	t->metric = col_text(st, 7);
	t->strategy = col_text(st, 8);
	t->features = col_text(st, 11);
	t->budget = col_text(st, 13);
	t->boot = col_text(st, 14);
	if (copy && dup_strings(strings, sizeof(strings) / sizeof(strings[0])) < 0) {
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
	free((char *)t->budget);
	free((char *)t->boot);
	memset(t, 0, sizeof(*t));
}

static void track_get_bind(sqlite3_stmt *st, void *arg)
{
	sqlite3_bind_text(st, 1, ((struct track_query *)arg)->name, -1, SQLITE_TRANSIENT);
}

static int track_get_row(sqlite3_stmt *st, void *arg)
{
	return track_from_row(st, ((struct track_query *)arg)->out, true) ? -SQLITE_NOMEM : 0;
}

int kmin_store_track_get(struct kmin_store *s, const char *name, struct kmin_track *out,
			 char *err, size_t errlen)
{
	struct track_query q = { .name = name, .out = out };

	memset(out, 0, sizeof(*out));
	return kmin_store_row(s, "SELECT " TRACK_COLUMNS " FROM tracks WHERE name = ?1",
			      track_get_bind, track_get_row, &q, "cannot read the track", err, errlen);
}

static int tracks_row(sqlite3_stmt *st, void *arg)
{
	struct track_query *q = arg;
	struct kmin_track t;
	int stop;

	track_from_row(st, &t, false);
	stop = q->fn.tracks(q->payload, &t);
	return stop > 0 ? stop : 0;
}

int kmin_store_tracks_foreach(struct kmin_store *s, kmin_track_row_fn fn, void *payload,
			      char *err, size_t errlen)
{
	struct track_query q = { .fn.tracks = fn, .payload = payload };

	return kmin_store_rows(s, "SELECT " TRACK_COLUMNS " FROM tracks ORDER BY id", NULL,
			       tracks_row, &q, "cannot list the tracks", err, errlen);
}

/* ---- nights ---- */

static void night_bind(sqlite3_stmt *st, void *arg)
{
	const struct kmin_night *n = arg;

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
}

int kmin_store_night_add(struct kmin_store *s, struct kmin_night *n, char *err, size_t errlen)
{
	static const char sql[] =
		"INSERT INTO nights(track_id, run_id, kernel_id, toolchain_id, git_commit, describe,"
		" dirty, status, config_sha256, size, carried_from, created_ms)"
		" VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)";

	if (n->track_id <= 0 || n->kernel_id <= 0) {
		if (err && errlen)
			snprintf(err, errlen, "a night needs its track and kernel");
		return KMIN_STORE_EINVAL;
	}
	if (!n->created_ms)
		n->created_ms = kmin_store_now_ms();
	return kmin_store_insert(s, sql, night_bind, n, &n->id, "cannot record the night", err,
				 errlen);
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
	const char **const strings[] = { &n->commit, &n->describe, &n->config_sha256,
					 &n->kernel_ident, &n->toolchain_ident };

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
	n->commit = col_text(st, 5);
	n->describe = col_text(st, 6);
	n->config_sha256 = col_text(st, 9);
	n->kernel_ident = col_text(st, 13);
	n->toolchain_ident = col_text(st, 14);
	if (copy && dup_strings(strings, sizeof(strings) / sizeof(strings[0])) < 0) {
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

static int night_last_row(sqlite3_stmt *st, void *arg)
{
	return night_from_row(st, ((struct track_query *)arg)->out, true) ? -SQLITE_NOMEM : 0;
}

int kmin_store_night_last(struct kmin_store *s, int64_t track_id, unsigned int flags,
			  struct kmin_night *out, char *err, size_t errlen)
{
	static const char all[] = NIGHT_SELECT " ORDER BY n.id DESC LIMIT 1";
	static const char with_result[] =
		NIGHT_SELECT " AND n.config_sha256 IS NOT NULL ORDER BY n.id DESC LIMIT 1";
	struct track_query q = { .id = track_id, .out = out };

	memset(out, 0, sizeof(*out));
	return kmin_store_row(s, flags & KMIN_NIGHT_WITH_RESULT ? with_result : all, bind_id,
			      night_last_row, &q, "cannot read the nights", err, errlen);
}

static int nights_row(sqlite3_stmt *st, void *arg)
{
	struct track_query *q = arg;
	struct kmin_night n;
	int stop;

	night_from_row(st, &n, false);
	stop = q->fn.nights(q->payload, &n);
	return stop > 0 ? stop : 0;
}

int kmin_store_nights_foreach(struct kmin_store *s, int64_t track_id, kmin_night_row_fn fn,
			      void *payload, char *err, size_t errlen)
{
	struct track_query q = { .id = track_id, .fn.nights = fn, .payload = payload };

	return kmin_store_rows(s, NIGHT_SELECT " ORDER BY n.id", bind_id, nights_row, &q,
			       "cannot list the nights", err, errlen);
}
