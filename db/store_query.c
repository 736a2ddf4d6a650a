/*
 * store_query.c - read-only SQL behind the query commands (see
 * include/kmin/store_query.h): runs with their kernel and final build,
 * the build of a config, config hashes by prefix, the export
 * join, and requirement lists compared as sets.
 *
 * Who calls it: `kmin runs`, `kmin show`, `kmin best`, `kmin diff` and
 * `kmin export`, once or a few times per process.  Workload: whole-table
 * reads of a few thousand rows at most, on the store's connection under
 * its lock (store_internal.h): the commands open the store with
 * KMIN_STORE_READONLY, so nothing here can create, migrate or change a
 * file, and only SELECTs are run.  A listing is one SELECT, hence one
 * read transaction.
 *
 * Tables added by later migrations are optional: a run's nightly job
 * (its track) is read from `runs.track` when that column exists, else
 * from the `nights` and `tracks` tables (0003) when they exist, and is
 * NULL otherwise, so these queries work on every schema this kmin opens.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "kmin/store_query.h"
#include "store_internal.h"

/* Does table have a column of that name? */
static bool has_column(sqlite3 *db, const char *table, const char *column)
{
	sqlite3_stmt *st;
	bool found = false;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1, &st,
			       NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	return t ? t : "";
}

static const char *col_text_or_null(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int64_t col_size(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
}

static void sizes_from(sqlite3_stmt *st, int i, struct kmin_query_sizes *z)
{
	z->text = col_size(st, i);
	z->data = col_size(st, i + 1);
	z->bss = col_size(st, i + 2);
	z->image = col_size(st, i + 3);
}

/* ---- runs ---- */

static enum kmin_run_status status_parse(const char *name)
{
	for (int i = KMIN_RUN_RUNNING; i <= KMIN_RUN_FAILED; i++)
		if (!strcmp(name, kmin_run_status_name((enum kmin_run_status)i)))
			return (enum kmin_run_status)i;
	return KMIN_RUN_FAILED;
}

/*
 * One row per run: the run's columns, its kernel and toolchain, its step
 * counts, and the newest ok real build of its final config on its own
 * kernel, toolchain and arch (the verification build, or the base's when
 * the base was already minimal).
 */
#define RUNS_SQL(track) \
	"SELECT r.id, r.key, r.strategy, r.arch, r.requirements, r.base, r.metric," \
	" COALESCE(r.kernel_id, 0), COALESCE(r.toolchain_id, 0), r.status, r.base_sha256," \
	" COALESCE(r.base_size, -1), r.final_sha256, COALESCE(r.final_size, -1), r.builds," \
	" r.cached, r.started_ms, COALESCE(r.finished_ms, 0)," \
	" CASE WHEN COALESCE(k.git_describe, '') <> '' THEN k.git_describe" \
	"  ELSE COALESCE(k.version, '') END, COALESCE(k.version, ''), k.git_commit," \
	" COALESCE(k.git_dirty, 0), COALESCE(t.version_text, ''), " track "," \
	" (SELECT count(*) FROM steps WHERE run_id = r.id AND kind = 'accept')," \
	" (SELECT count(*) FROM steps WHERE run_id = r.id AND kind = 'reject')," \
	" fb.id, fb.text_bytes, fb.data_bytes, fb.bss_bytes, fb.image_bytes" \
	" FROM runs r LEFT JOIN kernels k ON k.id = r.kernel_id" \
	" LEFT JOIN toolchains t ON t.id = r.toolchain_id" \
	" LEFT JOIN builds fb ON fb.id = (SELECT b.id FROM builds b JOIN configs c" \
	"  ON c.id = b.config_id WHERE c.sha256 = r.final_sha256 AND b.kernel_id = r.kernel_id" \
	"  AND b.toolchain_id = r.toolchain_id AND b.arch = r.arch AND b.status = 'ok'" \
	"  AND b.cached_from IS NULL ORDER BY b.id DESC LIMIT 1)" \
	" WHERE ?1 = 0 OR r.id = ?1 ORDER BY r.id"

/* The nightly job of a run (migration 0003): the track of a night the run answered. */
#define TRACK_OF_NIGHT \
	"(SELECT tr.name FROM nights n JOIN tracks tr ON tr.id = n.track_id" \
	" WHERE n.run_id = r.id ORDER BY n.id LIMIT 1)"

static void run_from_row(sqlite3_stmt *st, struct kmin_query_run *q)
{
	struct kmin_run *r = &q->run;

	memset(q, 0, sizeof(*q));
	r->id = sqlite3_column_int64(st, 0);
	r->key = col_text(st, 1);
	r->strategy = col_text(st, 2);
	r->arch = col_text(st, 3);
	r->requirements = col_text(st, 4);
	r->base = col_text(st, 5);
	r->metric = col_text(st, 6);
	r->kernel_id = sqlite3_column_int64(st, 7);
	r->toolchain_id = sqlite3_column_int64(st, 8);
	r->status = status_parse(col_text(st, 9));
	r->base_sha256 = col_text_or_null(st, 10);
	r->base_size = sqlite3_column_int64(st, 11);
	r->final_sha256 = col_text_or_null(st, 12);
	r->final_size = sqlite3_column_int64(st, 13);
	r->builds = sqlite3_column_int64(st, 14);
	r->cached = sqlite3_column_int64(st, 15);
	r->started_ms = sqlite3_column_int64(st, 16);
	r->finished_ms = sqlite3_column_int64(st, 17);
	q->kernel = col_text(st, 18);
	q->kernel_version = col_text(st, 19);
	q->commit = col_text_or_null(st, 20);
	q->dirty = sqlite3_column_int(st, 21) != 0;
	q->toolchain = col_text(st, 22);
	q->track = col_text_or_null(st, 23);
	q->accepted = sqlite3_column_int64(st, 24);
	q->rejected = sqlite3_column_int64(st, 25);
	q->final_build_id = sqlite3_column_int64(st, 26);
	sizes_from(st, 27, &q->final);
	if (!q->final_build_id)
		q->final = (struct kmin_query_sizes){ -1, -1, -1, -1 };
}

/*
 * A query of this file and what its callbacks need: the values bound, the
 * caller's callback, or where the row goes.
 */
struct query {
	int64_t id;
	const char *sha256;
	int64_t kernel_id, toolchain_id;
	const char *arch;
	union {
		kmin_query_run_fn runs;
		kmin_query_export_fn export;
	} fn;
	void *payload;
	int64_t *build_id;
	struct kmin_query_sizes *sizes;
	char *sha_out;			/* [65] */
	int found;
};

static void bind_id(sqlite3_stmt *st, void *arg)
{
	sqlite3_bind_int64(st, 1, ((struct query *)arg)->id);
}

static int runs_row(sqlite3_stmt *st, void *arg)
{
	struct query *q = arg;
	struct kmin_query_run r;
	int stop;

	run_from_row(st, &r);
	stop = q->fn.runs(q->payload, &r);
	return stop > 0 ? stop : 0;
}

int kmin_store_query_runs(struct kmin_store *s, int64_t run_id, kmin_query_run_fn fn,
			  void *payload, char *err, size_t errlen)
{
	struct query q = { .id = run_id, .fn.runs = fn, .payload = payload };
	sqlite3 *db = kmin_store_acquire(s);	/* held from the schema look to the last row */
	const char *sql;
	int rc;

	if (has_column(db, "runs", "track"))
		sql = RUNS_SQL("r.track");
	else if (has_column(db, "nights", "run_id") && has_column(db, "tracks", "name"))
		sql = RUNS_SQL(TRACK_OF_NIGHT);
	else
		sql = RUNS_SQL("NULL");
	rc = kmin_store_rows(s, sql, bind_id, runs_row, &q, "cannot list runs", err, errlen);
	kmin_store_release(s);
	return rc;
}

/* ---- configs and their builds ---- */

static void config_build_bind(sqlite3_stmt *st, void *arg)
{
	struct query *q = arg;

	sqlite3_bind_text(st, 1, q->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, q->kernel_id);
	sqlite3_bind_int64(st, 3, q->toolchain_id);
	if (q->arch)
		sqlite3_bind_text(st, 4, q->arch, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 4);
}

static int config_build_row(sqlite3_stmt *st, void *arg)
{
	struct query *q = arg;

	*q->build_id = sqlite3_column_int64(st, 0);
	sizes_from(st, 1, q->sizes);
	return 0;
}

int kmin_store_query_config_build(struct kmin_store *s, const char *sha256, int64_t kernel_id,
				  int64_t toolchain_id, const char *arch, int64_t *build_id,
				  struct kmin_query_sizes *sizes, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT b.id, b.text_bytes, b.data_bytes, b.bss_bytes, b.image_bytes"
		" FROM builds b JOIN configs c ON c.id = b.config_id"
		" WHERE c.sha256 = ?1 AND (?2 = 0 OR b.kernel_id = ?2)"
		" AND (?3 = 0 OR b.toolchain_id = ?3) AND (?4 IS NULL OR b.arch = ?4)"
		" AND b.status = 'ok' AND b.cached_from IS NULL ORDER BY b.id DESC LIMIT 1";
	struct query q = { .sha256 = sha256, .kernel_id = kernel_id, .toolchain_id = toolchain_id,
			   .arch = arch, .build_id = build_id, .sizes = sizes };

	*build_id = 0;
	*sizes = (struct kmin_query_sizes){ -1, -1, -1, -1 };
	return kmin_store_row(s, sql, config_build_bind, config_build_row, &q,
			      "cannot look a build up", err, errlen);
}

static void config_sha_bind(sqlite3_stmt *st, void *arg)
{
	sqlite3_bind_text(st, 1, ((struct query *)arg)->sha256, -1, SQLITE_STATIC);
}

/* Count the configs of the prefix (two at most), keeping the first. */
static int config_sha_row(sqlite3_stmt *st, void *arg)
{
	struct query *q = arg;

	if (q->found++ == 0)
		snprintf(q->sha_out, 65, "%s", col_text(st, 0));
	return 0;
}

int kmin_store_query_config_sha(struct kmin_store *s, const char *prefix, char out[65],
				char *err, size_t errlen)
{
	char lower[65];
	size_t n = strlen(prefix);
	struct query q = { .sha256 = lower, .sha_out = out };
	int rc;

	out[0] = '\0';
	if (n < 4 || n > 64 || strspn(prefix, "0123456789abcdefABCDEF") != n) {
		if (err && errlen)
			snprintf(err, errlen, "'%s' is not a config hash (4 to 64 hex digits)",
				 prefix);
		return KMIN_STORE_EINVAL;
	}
	for (size_t i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)prefix[i]);
	/* a range on the unique index: sha256 >= prefix AND sha256 < prefix + 'g' */
	rc = kmin_store_rows(s, "SELECT sha256 FROM configs WHERE sha256 >= ?1"
			     " AND sha256 < ?1 || 'g' ORDER BY sha256 LIMIT 2", config_sha_bind,
			     config_sha_row, &q, "cannot look configs up", err, errlen);
	if (rc < 0)
		return rc;
	if (q.found > 1) {
		out[0] = '\0';
		if (err && errlen)
			snprintf(err, errlen, "config hash prefix '%s' is ambiguous in database '%s'",
				 prefix, kmin_store_path(s));
		return KMIN_STORE_EINVAL;
	}
	return q.found;
}

/* ---- export ---- */

static int export_row(sqlite3_stmt *st, void *arg)
{
	struct query *q = arg;
	struct kmin_query_export_row r = {
		.id = sqlite3_column_int64(st, 0),
		.arch = col_text(st, 1),
		.image = col_text(st, 2),
		.status = col_text(st, 3),
		.seconds = sqlite3_column_double(st, 8),
		.worker = col_text(st, 9),
		.started_ms = sqlite3_column_int64(st, 10),
		.finished_ms = sqlite3_column_int64(st, 11),
		.cached_from = sqlite3_column_int64(st, 12),
		.first_error = col_text(st, 13),
		.config_sha256 = col_text(st, 14),
		.config_bytes = sqlite3_column_int64(st, 15),
		.kernel_ident = col_text(st, 16),
		.kernel_version = col_text(st, 17),
		.kernel_describe = col_text(st, 18),
		.kernel_commit = col_text(st, 19),
		.kernel_dirty = sqlite3_column_int(st, 20) != 0,
		.kernel_path = col_text(st, 21),
		.toolchain = col_text(st, 22),
	};
	int stop;

	sizes_from(st, 4, &r.sizes);
	stop = q->fn.export(q->payload, &r);
	return stop > 0 ? stop : 0;
}

int kmin_store_query_export(struct kmin_store *s, kmin_query_export_fn fn, void *payload,
			    char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT b.id, b.arch, b.image, b.status, b.text_bytes, b.data_bytes, b.bss_bytes,"
		" b.image_bytes, b.seconds, b.worker, b.started_ms, b.finished_ms,"
		" COALESCE(b.cached_from, 0), COALESCE(b.first_error, ''), c.sha256, c.size,"
		" k.ident, k.version, COALESCE(k.git_describe, ''), COALESCE(k.git_commit, ''),"
		" k.git_dirty, k.source_path, t.version_text"
		" FROM builds b JOIN configs c ON c.id = b.config_id"
		" JOIN kernels k ON k.id = b.kernel_id JOIN toolchains t ON t.id = b.toolchain_id"
		" ORDER BY b.id";
	struct query q = { .fn.export = fn, .payload = payload };

	return kmin_store_rows(s, sql, NULL, export_row, &q, "cannot export builds", err, errlen);
}

/* ---- requirement lists as sets ---- */

/*
 * The canonical form of the item [s, s+n) into buf: trimmed, upper-case,
 * without "CONFIG_" and without "=y".  Empty when nothing is left.
 */
static void req_item(const char *s, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= 7 && !strncasecmp(s, "CONFIG_", 7))
		s += 7, n -= 7;
	if (n >= 2 && s[n - 2] == '=' && (s[n - 1] == 'y' || s[n - 1] == 'Y'))
		n -= 2;
	for (size_t i = 0; i < n && o + 1 < len; i++)
		buf[o++] = (char)toupper((unsigned char)s[i]);
	buf[o] = '\0';
}

/* Is the canonical item in the list? */
static bool req_has(const char *list, const char *item)
{
	char buf[256];

	for (const char *p = list;; p++) {
		size_t n = strcspn(p, ",");
		req_item(p, n, buf, sizeof(buf));
		if (*buf && !strcmp(buf, item))
			return true;
		p += n;
		if (!*p)
			return false;
	}
}

bool kmin_requirements_cover(const char *have, const char *want)
{
	char buf[256];

	for (const char *p = want;; p++) {
		size_t n = strcspn(p, ",");
		req_item(p, n, buf, sizeof(buf));
		if (*buf && !req_has(have, buf))
			return false;
		p += n;
		if (!*p)
			return true;
	}
}

bool kmin_requirements_equal(const char *a, const char *b)
{
	return kmin_requirements_cover(a, b) && kmin_requirements_cover(b, a);
}
