/*
 * test_store_rows.c - the store's one statement loop (kmin_store_rows(),
 * kmin_store_row() and kmin_store_insert() in db/store.c) and the reads
 * built on it that no other unit test reaches.
 *
 * First the public reads: kmin_store_kernel_last() (by path, any path,
 * none), kmin_store_runs_foreach() (order, a positive return stops and is
 * returned, a negative one does not stop), kmin_store_savings_foreach()
 * (accepted or rejected steps with a size only, moves as recorded), the kernel
 * and toolchain labels (and an unknown id: 0 and "").  These hold on the
 * store before the loop was shared, too.
 *
 * Then the helpers on a scratch table: every row in order with the bound
 * parameter, a positive stop, a row callback's failure and an SQL error
 * reported as "<what> '<path>': <SQLite's message>", only the first row
 * for kmin_store_row(), the rowid of kmin_store_insert() and a unique
 * constraint (KMIN_STORE_EINVAL, rowid untouched), re-entry (a row
 * callback calling the store; a caller holding kmin_store_acquire()), and
 * four threads inserting at once, each getting the id of its own row.
 * Each test works in its own directory under /tmp.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "kmin/kernel_id.h"
#include "kmin/store.h"
#include "store_internal.h"
#include "testutil.h"

struct fixture {
	char dir[64];
	char db[128];
	struct kmin_store *s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	if (!f)
		return -1;
	tu_tempdir(f->dir, sizeof(f->dir), "rows");
	snprintf(f->db, sizeof(f->db), "%s/results.db", f->dir);
	if (kmin_store_open(&f->s, f->db, 0, err, sizeof(err)) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	kmin_store_close(f->s);
	tu_remove_tree(f->dir);
	free(f);
	return 0;
}

static int64_t add_kernel(struct kmin_store *s, const char *ident, const char *path,
			  const char *describe, bool dirty)
{
	struct kmin_kernel_id k;
	char err[256];
	int64_t id = 0;

	memset(&k, 0, sizeof(k));
	snprintf(k.version, sizeof(k.version), "6.1.158");
	snprintf(k.path, sizeof(k.path), "%s", path);
	snprintf(k.ident, sizeof(k.ident), "%s", ident);
	k.git = *describe != '\0';
	k.dirty = dirty;
	snprintf(k.describe, sizeof(k.describe), "%s", describe);
	if (k.git)
		snprintf(k.commit, sizeof(k.commit), "%s", "abcd");
	assert_int_equal(kmin_store_kernel_upsert(s, &k, &id, err, sizeof(err)), 0);
	return id;
}

/* ---- public reads ---- */

static void test_kernel_last(void **state)
{
	struct fixture *f = *state;
	char err[256];
	int64_t a, b, id = 42;

	assert_int_equal(kmin_store_kernel_last(f->s, NULL, &id, err, sizeof(err)), 0);
	assert_int_equal(id, 0);
	a = add_kernel(f->s, "tree:a", "/src/a", "", false);
	b = add_kernel(f->s, "tree:b", "/src/b", "", false);
	assert_int_equal(kmin_store_kernel_last(f->s, "/src/a", &id, err, sizeof(err)), 1);
	assert_int_equal(id, a);
	assert_int_equal(kmin_store_kernel_last(f->s, NULL, &id, err, sizeof(err)), 1);
	assert_int_equal(id, b);
	assert_int_equal(kmin_store_kernel_last(f->s, "/src/none", &id, err, sizeof(err)), 0);
	assert_int_equal(id, 0);
}

static int64_t add_run(struct kmin_store *s, int64_t kernel, const char *key, const char *metric)
{
	struct kmin_run r = { 0 };
	char err[256];
	int64_t id = 0;

	r.key = key;
	r.strategy = "greedy";
	r.arch = "arm";
	r.requirements = "USB";
	r.base = "tinyconfig";
	r.metric = metric;
	r.kernel_id = kernel;
	r.status = KMIN_RUN_DONE;
	r.base_size = r.final_size = -1;
	assert_int_equal(kmin_store_run_create(s, &r, &id, err, sizeof(err)), 0);
	return id;
}

struct seen {
	int n;
	int stop_at;		/* return stop_value at this row (1-based); 0 never */
	int stop_value;
	char text[512];
};

static int run_seen(void *payload, const struct kmin_run *r)
{
	struct seen *v = payload;
	size_t used = strlen(v->text);

	snprintf(v->text + used, sizeof(v->text) - used, "%s%s", used ? "," : "", r->key);
	return ++v->n == v->stop_at ? v->stop_value : 0;
}

static void test_runs_foreach(void **state)
{
	struct fixture *f = *state;
	int64_t k = add_kernel(f->s, "tree:a", "/src/a", "", false);
	struct seen v = { 0 };
	char err[256];

	add_run(f->s, k, "one", "dec");
	add_run(f->s, k, "two", "dec");
	add_run(f->s, k, "three", "dec");
	assert_int_equal(kmin_store_runs_foreach(f->s, run_seen, &v, err, sizeof(err)), 0);
	assert_string_equal(v.text, "one,two,three");
	/* a negative return is not a stop */
	memset(&v, 0, sizeof(v));
	v.stop_at = 1;
	v.stop_value = -5;
	assert_int_equal(kmin_store_runs_foreach(f->s, run_seen, &v, err, sizeof(err)), 0);
	assert_int_equal(v.n, 3);
	/* a positive one stops there and is returned */
	memset(&v, 0, sizeof(v));
	v.stop_at = 2;
	v.stop_value = 9;
	assert_int_equal(kmin_store_runs_foreach(f->s, run_seen, &v, err, sizeof(err)), 9);
	assert_string_equal(v.text, "one,two");
}

static void saving_seen(void *payload, const char *moves, const char *metric, int64_t saving)
{
	struct seen *v = payload;
	size_t used = strlen(v->text);

	snprintf(v->text + used, sizeof(v->text) - used, "%s%s/%s/%lld", used ? "," : "", moves,
		 metric, (long long)saving);
	v->n++;
}

static void add_step(struct kmin_store *s, int64_t run, enum kmin_step_kind kind,
		     const char *moves, int64_t size, int64_t saving)
{
	struct kmin_run_step t = { 0 };
	char err[256];

	t.run_id = run;
	t.kind = kind;
	t.moves = moves;
	t.reason = "ok";
	t.size = size;
	t.saving = saving;
	assert_int_equal(kmin_store_step_add(s, &t, err, sizeof(err)), 0);
	assert_true(t.seq > 0);
}

static void test_savings_foreach(void **state)
{
	struct fixture *f = *state;
	int64_t k = add_kernel(f->s, "tree:a", "/src/a", "", false);
	int64_t k2 = add_kernel(f->s, "tree:b", "/src/b", "", false);
	int64_t r1 = add_run(f->s, k, "one", "dec");
	int64_t r2 = add_run(f->s, k, "two", "image");
	int64_t other = add_run(f->s, k2, "three", "dec");
	struct seen v = { 0 };
	char err[256];

	add_step(f->s, r1, KMIN_STEP_BASE, "", 1000, 0);
	add_step(f->s, r1, KMIN_STEP_ACCEPT, "USB_HID=n", 900, 100);
	add_step(f->s, r1, KMIN_STEP_REJECT, "SPI=n I2C=n", 950, 50);	/* two symbols */
	add_step(f->s, r1, KMIN_STEP_REJECT, "I2C=n", -1, 0);		/* no size */
	add_step(f->s, r2, KMIN_STEP_REJECT, "SND=n", 1010, -10);
	add_step(f->s, r2, KMIN_STEP_VERIFY, "X=n", 900, 100);		/* not a move */
	add_step(f->s, other, KMIN_STEP_ACCEPT, "NET=n", 800, 200);	/* another kernel */
	assert_int_equal(kmin_store_savings_foreach(f->s, k, "arm", saving_seen, &v, err,
						    sizeof(err)), 0);
	/* every measured step, its moves as recorded: parsing them is the search's */
	assert_string_equal(v.text, "USB_HID=n/dec/100,SPI=n I2C=n/dec/50,SND=n/image/-10");
	memset(&v, 0, sizeof(v));
	assert_int_equal(kmin_store_savings_foreach(f->s, k, "x86", saving_seen, &v, err,
						    sizeof(err)), 0);
	assert_int_equal(v.n, 0);
}

static void test_labels(void **state)
{
	struct fixture *f = *state;
	int64_t plain = add_kernel(f->s, "tree:a", "/src/a", "", false);
	int64_t git = add_kernel(f->s, "git:b", "/src/b", "v6.1-3-gabcd", true);
	int64_t tc = 0;
	char buf[128], err[256];

	assert_int_equal(kmin_store_toolchain_upsert(f->s, "gcc id", "gcc 12.2.0", &tc, err,
						     sizeof(err)), 0);
	assert_int_equal(kmin_store_kernel_label(f->s, plain, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_string_equal(buf, "6.1.158 (/src/a)");
	assert_int_equal(kmin_store_kernel_label(f->s, git, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_string_equal(buf, "v6.1-3-gabcd-dirty (/src/b)");
	assert_int_equal(kmin_store_toolchain_label(f->s, tc, buf, sizeof(buf), err, sizeof(err)), 1);
	assert_string_equal(buf, "gcc 12.2.0");
	assert_int_equal(kmin_store_kernel_label(f->s, 999, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(kmin_store_toolchain_label(f->s, 999, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "");
}

/* ---- the helpers, on a scratch table t(id, v) ---- */

struct scratch {
	struct kmin_store *s;
	int64_t from;		/* bound to ?1 */
	const char *v;		/* bound to ?1 by bind_v */
	int n;			/* rows seen */
	int stop_at;		/* return `ret` at this row (1-based) */
	int ret;
	char text[256];		/* the v column of the rows seen */
	int inner;		/* re-entry: rows the nested call found */
};

static void scratch_table(struct kmin_store *s, int rows)
{
	char sql[128];
	sqlite3 *db = kmin_store_acquire(s);

	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT UNIQUE)",
				      NULL, NULL, NULL), SQLITE_OK);
	for (int i = 1; i <= rows; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO t(v) VALUES ('v%d')", i);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	}
	kmin_store_release(s);
}

static void bind_from(sqlite3_stmt *st, void *arg)
{
	sqlite3_bind_int64(st, 1, ((struct scratch *)arg)->from);
}

static void bind_v(sqlite3_stmt *st, void *arg)
{
	sqlite3_bind_text(st, 1, ((struct scratch *)arg)->v, -1, SQLITE_STATIC);
}

static int scratch_row(sqlite3_stmt *st, void *arg)
{
	struct scratch *c = arg;
	size_t used = strlen(c->text);

	snprintf(c->text + used, sizeof(c->text) - used, "%s%s", used ? "," : "",
		 (const char *)sqlite3_column_text(st, 1));
	return ++c->n == c->stop_at ? c->ret : 0;
}

static const char scratch_sql[] = "SELECT id, v FROM t WHERE id >= ?1 ORDER BY id";

static void test_rows_in_order(void **state)
{
	struct fixture *f = *state;
	struct scratch c = { .from = 2 };
	char err[256] = "";

	scratch_table(f->s, 5);
	assert_int_equal(kmin_store_rows(f->s, scratch_sql, bind_from, scratch_row, &c, "cannot test",
					 err, sizeof(err)), 0);
	assert_string_equal(c.text, "v2,v3,v4,v5");
	assert_string_equal(err, "");
	/* no rows: 0, the callback never called; no callback: rows stepped over */
	memset(&c, 0, sizeof(c));
	c.from = 6;
	assert_int_equal(kmin_store_rows(f->s, scratch_sql, bind_from, scratch_row, &c, "cannot test",
					 err, sizeof(err)), 0);
	assert_int_equal(c.n, 0);
	c.from = 1;
	assert_int_equal(kmin_store_rows(f->s, scratch_sql, bind_from, NULL, &c, "cannot test", err,
					 sizeof(err)), 0);
}

static void test_rows_stop(void **state)
{
	struct fixture *f = *state;
	struct scratch c = { .from = 1, .stop_at = 3, .ret = 7 };
	char err[256];

	scratch_table(f->s, 5);
	assert_int_equal(kmin_store_rows(f->s, scratch_sql, bind_from, scratch_row, &c, "cannot test",
					 err, sizeof(err)), 7);
	assert_string_equal(c.text, "v1,v2,v3");
}

static void test_rows_errors(void **state)
{
	struct fixture *f = *state;
	struct scratch c = { .from = 1, .stop_at = 2, .ret = -SQLITE_NOMEM };
	char err[256], want[300];
	int rc;

	scratch_table(f->s, 5);
	/* a row callback's failure: stops, reported with what and the path */
	rc = kmin_store_rows(f->s, scratch_sql, bind_from, scratch_row, &c, "cannot test", err,
			     sizeof(err));
	assert_int_equal(rc, KMIN_STORE_EGENERIC);
	assert_int_equal(c.n, 2);
	snprintf(want, sizeof(want), "cannot test '%s': ", f->db);
	assert_memory_equal(err, want, strlen(want));
	/* an SQL error: SQLite's message */
	rc = kmin_store_rows(f->s, "SELECT nope FROM t", NULL, scratch_row, &c, "cannot test", err,
			     sizeof(err));
	assert_true(rc < 0);
	snprintf(want, sizeof(want), "cannot test '%s': no such column: nope", f->db);
	assert_string_equal(err, want);
	/* the same through kmin_store_row() */
	memset(&c, 0, sizeof(c));
	c.from = 1;
	c.stop_at = 1;
	c.ret = -SQLITE_CORRUPT;
	assert_int_equal(kmin_store_row(f->s, scratch_sql, bind_from, scratch_row, &c, "cannot test",
					err, sizeof(err)), KMIN_STORE_ECORRUPT);
	assert_non_null(strstr(err, "is corrupt"));
}

static void test_row_first_only(void **state)
{
	struct fixture *f = *state;
	struct scratch c = { .from = 2, .stop_at = 1, .ret = 5 };	/* positive: ignored */
	char err[256];

	scratch_table(f->s, 5);
	assert_int_equal(kmin_store_row(f->s, scratch_sql, bind_from, scratch_row, &c, "cannot test",
					err, sizeof(err)), 1);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.text, "v2");
	memset(&c, 0, sizeof(c));
	c.from = 6;
	assert_int_equal(kmin_store_row(f->s, scratch_sql, bind_from, scratch_row, &c, "cannot test",
					err, sizeof(err)), 0);
	assert_int_equal(c.n, 0);
}

static void test_insert(void **state)
{
	struct fixture *f = *state;
	struct scratch c = { .v = "new" };
	char err[256];
	int64_t id = 0;

	scratch_table(f->s, 3);
	assert_int_equal(kmin_store_insert(f->s, "INSERT INTO t(v) VALUES (?1)", bind_v, &c, &id,
					   "cannot add to", err, sizeof(err)), 0);
	assert_int_equal(id, 4);
	assert_int_equal(kmin_store_insert(f->s, "INSERT INTO t(v) VALUES (?1)", bind_v, &c, NULL,
					   "cannot add to", err, sizeof(err)), KMIN_STORE_EINVAL);
	assert_non_null(strstr(err, "UNIQUE constraint failed: t.v"));
	id = 0;
	c.v = "v1";
	assert_int_equal(kmin_store_insert(f->s, "INSERT INTO t(v) VALUES (?1)", bind_v, &c, &id,
					   "cannot add to", err, sizeof(err)), KMIN_STORE_EINVAL);
	assert_int_equal(id, 0);
}

/* A row callback that asks the store again: the lock is recursive. */
static int nested_row(sqlite3_stmt *st, void *arg)
{
	struct scratch *c = arg;
	struct scratch inner = { .from = sqlite3_column_int64(st, 0) };
	char err[256];
	int rc = kmin_store_rows(c->s, scratch_sql, bind_from, scratch_row, &inner, "cannot test",
				 err, sizeof(err));

	if (rc < 0)
		return -SQLITE_ERROR;
	c->inner += inner.n;
	return 0;
}

static void test_reentry(void **state)
{
	struct fixture *f = *state;
	struct scratch c = { .s = f->s, .from = 1 };
	char err[256];

	scratch_table(f->s, 4);
	assert_int_equal(kmin_store_rows(f->s, scratch_sql, bind_from, nested_row, &c, "cannot test",
					 err, sizeof(err)), 0);
	assert_int_equal(c.inner, 4 + 3 + 2 + 1);
	/* a caller holding the lock across the call, as kmin_store_query_runs() does */
	kmin_store_acquire(f->s);
	memset(&c, 0, sizeof(c));
	c.from = 3;
	assert_int_equal(kmin_store_rows(f->s, scratch_sql, bind_from, scratch_row, &c, "cannot test",
					 err, sizeof(err)), 0);
	kmin_store_release(f->s);
	assert_string_equal(c.text, "v3,v4");
}

#define THREADS 4
#define INSERTS 40

struct writer {
	struct kmin_store *s;
	int index;
	int wrong;		/* rowids that were not this thread's row */
	int failed;
};

/* One row's value by id, through kmin_store_row(). */
struct lookup {
	int64_t id;
	char v[32];
};

static void lookup_bind(sqlite3_stmt *st, void *arg)
{
	sqlite3_bind_int64(st, 1, ((struct lookup *)arg)->id);
}

static int lookup_row(sqlite3_stmt *st, void *arg)
{
	struct lookup *l = arg;

	snprintf(l->v, sizeof(l->v), "%s", (const char *)sqlite3_column_text(st, 0));
	return 0;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	char v[32], err[256];
	struct scratch c = { .v = v };
	struct lookup l;

	for (int i = 0; i < INSERTS; i++) {
		int64_t id = 0;

		snprintf(v, sizeof(v), "w%d-%d", w->index, i);
		if (kmin_store_insert(w->s, "INSERT INTO t(v) VALUES (?1)", bind_v, &c, &id,
				      "cannot add to", err, sizeof(err)) < 0) {
			w->failed++;
			continue;
		}
		l.id = id;
		if (kmin_store_row(w->s, "SELECT v FROM t WHERE id = ?1", lookup_bind, lookup_row, &l,
				   "cannot test", err, sizeof(err)) != 1 || strcmp(l.v, v))
			w->wrong++;
	}
	return NULL;
}

static void test_insert_threads(void **state)
{
	struct fixture *f = *state;
	struct writer w[THREADS];
	pthread_t th[THREADS];
	struct scratch c = { .from = 1 };
	char err[256];

	scratch_table(f->s, 0);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct writer){ f->s, i, 0, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, writer_main, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].failed, 0);
		assert_int_equal(w[i].wrong, 0);
	}
	assert_int_equal(kmin_store_rows(f->s, scratch_sql, bind_from, scratch_row, &c, "cannot test",
					 err, sizeof(err)), 0);
	assert_int_equal(c.n, THREADS * INSERTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kernel_last, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runs_foreach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_savings_foreach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_labels, setup, teardown),
		/* the helpers */
		cmocka_unit_test_setup_teardown(test_rows_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rows_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rows_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_row_first_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reentry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_threads, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
