/*
 * store_run.c - the search's runs and steps in the results store.
 *
 * `kmin run` writes one row in `runs` when it starts and one row in
 * `steps` per decision (the base, each batch accepted or rejected, the
 * final verification), each in its own transaction, as it happens: after
 * kill -9 the last accepted state is on disk and the same command resumes
 * from it.  `kmin runs` lists the rows.  The search also reads back what
 * single-symbol moves saved in earlier runs on the same kernel and arch,
 * to order its candidates.
 *
 * Workload: a few statements per build (seconds to minutes apart), from
 * the search's thread, on the store's own connection under its lock
 * (store_internal.h).  The schema is migration 0002
 * (db/migrations/0002-runs.sql).
 *
 * Errors: 0 (or 1, where stated) or a negative enum kmin_store_error with
 * a message naming the database file in err[errlen].
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <sqlite3.h>

#include "kmin/store.h"
#include "store_internal.h"

static const char *const run_status_names[] = { "running", "done", "budget", "failed" };
static const char *const step_kind_names[] = { "base", "accept", "reject", "verify" };

const char *kmin_run_status_name(enum kmin_run_status status)
{
	return (unsigned)status < 4 ? run_status_names[status] : "?";
}

const char *kmin_step_kind_name(enum kmin_step_kind kind)
{
	return (unsigned)kind < 4 ? step_kind_names[kind] : "?";
}

static void run_create_bind(sqlite3_stmt *st, void *arg)
{
	const struct kmin_run *r = arg;

	sqlite3_bind_text(st, 1, r->key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, r->strategy, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, r->arch, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, r->requirements, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, r->base, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 6, r->metric, -1, SQLITE_TRANSIENT);
	kmin_store_bind_id_or_null(st, 7, r->kernel_id);
	kmin_store_bind_id_or_null(st, 8, r->toolchain_id);
	sqlite3_bind_text(st, 9, kmin_run_status_name(r->status), -1, SQLITE_STATIC);
	kmin_store_bind_text_or_null(st, 10, r->base_sha256);
	kmin_store_bind_size_or_null(st, 11, r->base_size);
	kmin_store_bind_text_or_null(st, 12, r->final_sha256);
	kmin_store_bind_size_or_null(st, 13, r->final_size);
	sqlite3_bind_int64(st, 14, r->builds);
	sqlite3_bind_int64(st, 15, r->cached);
	sqlite3_bind_int64(st, 16, r->started_ms ? r->started_ms : kmin_store_now_ms());
}

int kmin_store_run_create(struct kmin_store *s, const struct kmin_run *r, int64_t *id_out,
			  char *err, size_t errlen)
{
	static const char sql[] =
		"INSERT INTO runs(key, strategy, arch, requirements, base, metric, kernel_id,"
		" toolchain_id, status, base_sha256, base_size, final_sha256, final_size, builds,"
		" cached, started_ms) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)";

	/* the binder only reads *r */
	return kmin_store_insert(s, sql, run_create_bind, (void *)r, id_out,
				 "cannot record the run", err, errlen);
}

static void run_update_bind(sqlite3_stmt *st, void *arg)
{
	const struct kmin_run *r = arg;

	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_text(st, 2, kmin_run_status_name(r->status), -1, SQLITE_STATIC);
	kmin_store_bind_text_or_null(st, 3, r->base_sha256);
	kmin_store_bind_size_or_null(st, 4, r->base_size);
	kmin_store_bind_text_or_null(st, 5, r->final_sha256);
	kmin_store_bind_size_or_null(st, 6, r->final_size);
	sqlite3_bind_int64(st, 7, r->builds);
	sqlite3_bind_int64(st, 8, r->cached);
	kmin_store_bind_id_or_null(st, 9, r->finished_ms);
}

int kmin_store_run_update(struct kmin_store *s, const struct kmin_run *r, char *err,
			  size_t errlen)
{
	static const char sql[] =
		"UPDATE runs SET status = ?2, base_sha256 = ?3, base_size = ?4, final_sha256 = ?5,"
		" final_size = ?6, builds = ?7, cached = ?8, finished_ms = ?9 WHERE id = ?1";

	return kmin_store_rows(s, sql, run_update_bind, NULL, (void *)r, "cannot update the run",
			       err, errlen);
}

/* ---- reading runs ---- */

#define RUN_COLUMNS \
	"id, key, strategy, arch, requirements, base, metric, COALESCE(kernel_id, 0)," \
	" COALESCE(toolchain_id, 0), status, base_sha256, COALESCE(base_size, -1)," \
	" final_sha256, COALESCE(final_size, -1), builds, cached, started_ms," \
	" COALESCE(finished_ms, 0)"

static enum kmin_run_status run_status_parse(const char *name)
{
	for (unsigned i = 0; i < 4; i++)
		if (name && !strcmp(name, run_status_names[i]))
			return (enum kmin_run_status)i;
	return KMIN_RUN_FAILED;
}

/* Fill r from a row of RUN_COLUMNS; strings borrowed from the statement. */
static void run_from_row(sqlite3_stmt *st, struct kmin_run *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->key = (const char *)sqlite3_column_text(st, 1);
	r->strategy = (const char *)sqlite3_column_text(st, 2);
	r->arch = (const char *)sqlite3_column_text(st, 3);
	r->requirements = (const char *)sqlite3_column_text(st, 4);
	r->base = (const char *)sqlite3_column_text(st, 5);
	r->metric = (const char *)sqlite3_column_text(st, 6);
	r->kernel_id = sqlite3_column_int64(st, 7);
	r->toolchain_id = sqlite3_column_int64(st, 8);
	r->status = run_status_parse((const char *)sqlite3_column_text(st, 9));
	r->base_sha256 = (const char *)sqlite3_column_text(st, 10);
	r->base_size = sqlite3_column_int64(st, 11);
	r->final_sha256 = (const char *)sqlite3_column_text(st, 12);
	r->final_size = sqlite3_column_int64(st, 13);
	r->builds = sqlite3_column_int64(st, 14);
	r->cached = sqlite3_column_int64(st, 15);
	r->started_ms = sqlite3_column_int64(st, 16);
	r->finished_ms = sqlite3_column_int64(st, 17);
}

/* Copy the borrowed strings of r into one allocation owned by r->mem_. */
static int run_own(struct kmin_run *r)
{
	const char **f[] = { &r->key, &r->strategy, &r->arch, &r->requirements, &r->base,
			     &r->metric, &r->base_sha256, &r->final_sha256 };
	size_t total = 0, n = sizeof(f) / sizeof(f[0]);
	char *mem, *p;

	for (size_t i = 0; i < n; i++)
		total += *f[i] ? strlen(*f[i]) + 1 : 0;
	mem = malloc(total + 1);
	if (!mem)
		return -1;
	p = mem;
	for (size_t i = 0; i < n; i++) {
		if (!*f[i])
			continue;
		size_t len = strlen(*f[i]) + 1;
		memcpy(p, *f[i], len);
		*f[i] = p;
		p += len;
	}
	r->mem_ = mem;
	return 0;
}

void kmin_run_clear(struct kmin_run *r)
{
	if (!r)
		return;
	free(r->mem_);
	memset(r, 0, sizeof(*r));
}

/*
 * A query of this file and what its callbacks need: the key or id bound
 * to ?1 (and the arch to ?2), the caller's callback, or where one row goes.
 */
struct run_query {
	int64_t id;
	const char *text;
	const char *arch;
	union {
		kmin_run_row_fn runs;
		kmin_step_row_fn steps;
		kmin_saving_fn savings;
	} fn;
	void *payload;
	void *out;
};

static void bind_id(sqlite3_stmt *st, void *arg)
{
	sqlite3_bind_int64(st, 1, ((struct run_query *)arg)->id);
}

static int run_get_row(sqlite3_stmt *st, void *arg)
{
	struct kmin_run *out = ((struct run_query *)arg)->out;

	run_from_row(st, out);
	return run_own(out) ? -SQLITE_NOMEM : 0;
}

int kmin_store_run_get(struct kmin_store *s, int64_t id, struct kmin_run *out, char *err,
		       size_t errlen)
{
	struct run_query q = { .id = id, .out = out };

	memset(out, 0, sizeof(*out));
	return kmin_store_row(s, "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?1", bind_id,
			      run_get_row, &q, "cannot read the run", err, errlen);
}

static void bind_key(sqlite3_stmt *st, void *arg)
{
	sqlite3_bind_text(st, 1, ((struct run_query *)arg)->text, -1, SQLITE_TRANSIENT);
}

static int id_row(sqlite3_stmt *st, void *arg)
{
	*(int64_t *)((struct run_query *)arg)->out = sqlite3_column_int64(st, 0);
	return 0;
}

int kmin_store_run_find_unfinished(struct kmin_store *s, const char *key, int64_t *id_out,
				   char *err, size_t errlen)
{
	struct run_query q = { .text = key, .out = id_out };

	return kmin_store_row(s, "SELECT id FROM runs WHERE key = ?1 AND status = 'running'"
			      " ORDER BY id DESC LIMIT 1", bind_key, id_row, &q,
			      "cannot look runs up", err, errlen);
}

static int runs_row(sqlite3_stmt *st, void *arg)
{
	struct run_query *q = arg;
	struct kmin_run r;
	int stop;

	run_from_row(st, &r);
	stop = q->fn.runs(q->payload, &r);
	return stop > 0 ? stop : 0;
}

int kmin_store_runs_foreach(struct kmin_store *s, kmin_run_row_fn fn, void *payload, char *err,
			    size_t errlen)
{
	struct run_query q = { .fn.runs = fn, .payload = payload };

	return kmin_store_rows(s, "SELECT " RUN_COLUMNS " FROM runs ORDER BY id", NULL, runs_row,
			       &q, "cannot list runs", err, errlen);
}

/* ---- steps ---- */

static void step_add_bind(sqlite3_stmt *st, void *arg)
{
	const struct kmin_run_step *step = arg;

	sqlite3_bind_int64(st, 1, step->run_id);
	sqlite3_bind_text(st, 2, kmin_step_kind_name(step->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, step->moves ? step->moves : "", -1, SQLITE_TRANSIENT);
	kmin_store_bind_text_or_null(st, 4, step->config_sha256);
	kmin_store_bind_id_or_null(st, 5, step->build_id);
	sqlite3_bind_text(st, 6, step->reason ? step->reason : "", -1, SQLITE_TRANSIENT);
	kmin_store_bind_size_or_null(st, 7, step->size);
	if (step->size >= 0)
		sqlite3_bind_int64(st, 8, step->saving);
	else
		sqlite3_bind_null(st, 8);
	sqlite3_bind_int(st, 9, step->cached);
	sqlite3_bind_int64(st, 10, step->created_ms ? step->created_ms : kmin_store_now_ms());
}

/* The RETURNING row of step_add: the seq given. */
static int step_add_row(sqlite3_stmt *st, void *arg)
{
	((struct kmin_run_step *)arg)->seq = sqlite3_column_int64(st, 0);
	return 0;
}

int kmin_store_step_add(struct kmin_store *s, struct kmin_run_step *step, char *err,
			size_t errlen)
{
	static const char sql[] =
		"INSERT INTO steps(run_id, seq, kind, moves, config_sha256, build_id, reason, size,"
		" saving, cached, created_ms)"
		" SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10"
		" FROM steps WHERE run_id = ?1 RETURNING seq";

	return kmin_store_rows(s, sql, step_add_bind, step_add_row, step, "cannot record a step",
			       err, errlen);
}

static enum kmin_step_kind step_kind_parse(const char *name)
{
	for (unsigned i = 0; i < 4; i++)
		if (name && !strcmp(name, step_kind_names[i]))
			return (enum kmin_step_kind)i;
	return KMIN_STEP_REJECT;
}

static int steps_row(sqlite3_stmt *st, void *arg)
{
	struct run_query *q = arg;
	struct kmin_run_step t = { 0 };
	int stop;

	t.run_id = q->id;
	t.seq = sqlite3_column_int64(st, 0);
	t.kind = step_kind_parse((const char *)sqlite3_column_text(st, 1));
	t.moves = (const char *)sqlite3_column_text(st, 2);
	t.config_sha256 = (const char *)sqlite3_column_text(st, 3);
	t.build_id = sqlite3_column_int64(st, 4);
	t.reason = (const char *)sqlite3_column_text(st, 5);
	t.size = sqlite3_column_int64(st, 6);
	t.saving = sqlite3_column_int64(st, 7);
	t.cached = sqlite3_column_int(st, 8);
	t.created_ms = sqlite3_column_int64(st, 9);
	stop = q->fn.steps(q->payload, &t);
	return stop > 0 ? stop : 0;
}

int kmin_store_steps_foreach(struct kmin_store *s, int64_t run_id, kmin_step_row_fn fn,
			     void *payload, char *err, size_t errlen)
{
	struct run_query q = { .id = run_id, .fn.steps = fn, .payload = payload };

	return kmin_store_rows(s, "SELECT seq, kind, moves, config_sha256,"
			       " COALESCE(build_id, 0), reason, COALESCE(size, -1), COALESCE(saving, 0), cached, created_ms"
			       " FROM steps WHERE run_id = ?1 ORDER BY seq", bind_id, steps_row, &q,
			       "cannot list steps", err, errlen);
}

static void savings_bind(sqlite3_stmt *st, void *arg)
{
	struct run_query *q = arg;

	sqlite3_bind_int64(st, 1, q->id);
	sqlite3_bind_text(st, 2, q->arch, -1, SQLITE_TRANSIENT);
}

static int savings_row(sqlite3_stmt *st, void *arg)
{
	struct run_query *q = arg;

	q->fn.savings(q->payload, (const char *)sqlite3_column_text(st, 0),
		      (const char *)sqlite3_column_text(st, 1), sqlite3_column_int64(st, 2));
	return 0;
}

int kmin_store_savings_foreach(struct kmin_store *s, int64_t kernel_id, const char *arch,
			       kmin_saving_fn fn, void *payload, char *err, size_t errlen)
{
	struct run_query q = { .id = kernel_id, .arch = arch, .fn.savings = fn, .payload = payload };

	return kmin_store_rows(s, "SELECT t.moves, r.metric, t.saving FROM steps t"
			       " JOIN runs r ON r.id = t.run_id"
			       " WHERE r.kernel_id = ?1 AND r.arch = ?2 AND t.kind IN ('accept', 'reject')"
			       " AND t.size IS NOT NULL AND t.moves <> ''"
			       " ORDER BY r.id, t.seq", savings_bind, savings_row, &q,
			       "cannot read savings", err, errlen);
}
