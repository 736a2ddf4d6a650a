/*
 * test_store_track.c - tracked jobs and nights in the store (db/store_track.c).
 *
 * Creating and reading a track (optional fields as NULL, budgets), the
 * unique name, nights appended in order with their joins (kernel and
 * toolchain identities, the run's builds), "last with a result" skipping
 * failed nights, carried-over nights, listing, unknown names, bad
 * arguments, and a database of schema 2 migrated to 3 with its runs kept.
 * Each test works in its own directory under /tmp.
 */
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
#include "kmin/store_track.h"
#include "store_sql.h"
#include "testutil.h"

struct fixture {
	char dir[64];
	char db[128];
	struct kmin_store *s;
	int64_t kernel, kernel2, toolchain, run;
	char sha[65];
};

static const char config_text[] = "CONFIG_MMU=y\n# CONFIG_SWAP is not set\n";

static void fake_kernel(struct kmin_kernel_id *k, const char *ident, const char *commit)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->version, sizeof(k->version), "0.1.0");
	snprintf(k->path, sizeof(k->path), "/src/tiny");
	snprintf(k->ident, sizeof(k->ident), "%s", ident);
	snprintf(k->commit, sizeof(k->commit), "%s", commit);
	k->git = true;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct kmin_kernel_id k;
	struct kmin_run run = { 0 };
	char err[256];

	tu_tempdir(f->dir, sizeof(f->dir), "track");
	snprintf(f->db, sizeof(f->db), "%s/results.db", f->dir);
	if (kmin_store_open(&f->s, f->db, 0, err, sizeof(err)) < 0)
		return -1;
	fake_kernel(&k, "git:aaaa", "aaaa");
	if (kmin_store_kernel_upsert(f->s, &k, &f->kernel, err, sizeof(err)) < 0)
		return -1;
	fake_kernel(&k, "git:bbbb", "bbbb");
	if (kmin_store_kernel_upsert(f->s, &k, &f->kernel2, err, sizeof(err)) < 0 ||
	    kmin_store_toolchain_upsert(f->s, "gcc-12 id", "gcc 12.2.0", &f->toolchain, err,
					sizeof(err)) < 0 ||
	    kmin_store_config_put(f->s, config_text, strlen(config_text), f->sha, NULL, err,
				  sizeof(err)) < 0)
		return -1;
	run.key = "k";
	run.strategy = "greedy";
	run.arch = "arm";
	run.requirements = "USB,SPI";
	run.base = "tinyconfig";
	run.metric = "dec";
	run.kernel_id = f->kernel;
	run.toolchain_id = f->toolchain;
	run.status = KMIN_RUN_DONE;
	run.base_size = run.final_size = 100;
	run.builds = 7;
	if (kmin_store_run_create(f->s, &run, &f->run, err, sizeof(err)) < 0)
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

static struct kmin_track job(const char *name)
{
	struct kmin_track t = { 0 };

	t.name = name;
	t.source = "/src/tiny";
	t.arch = "arm";
	t.requirements = "USB,SPI";
	t.base = "board_defconfig";
	t.metric = "dec";
	t.strategy = "greedy";
	t.time_budget = -1;
	return t;
}

static void test_track_create_get(void **state)
{
	struct fixture *f = *state;
	struct kmin_track t = job("board"), got;
	char err[256];
	int64_t id = 0;

	t.cross_compile = "arm-linux-gnueabi-";
	t.max_builds = 12;
	t.time_budget = 600;
	t.features = "/etc/kmin/features.conf";
	t.metric = "budget";
	t.budget = "flash=716800,ram=262144,xip";
	t.boot = "mps2-an385";
	assert_int_equal(kmin_store_track_create(f->s, &t, &id, err, sizeof(err)), 0);
	assert_true(id > 0);
	assert_int_equal(kmin_store_track_get(f->s, "board", &got, err, sizeof(err)), 1);
	assert_int_equal(got.id, id);
	assert_string_equal(got.name, "board");
	assert_string_equal(got.source, "/src/tiny");
	assert_string_equal(got.cross_compile, "arm-linux-gnueabi-");
	assert_string_equal(got.requirements, "USB,SPI");
	assert_string_equal(got.base, "board_defconfig");
	assert_string_equal(got.metric, "budget");
	assert_string_equal(got.budget, "flash=716800,ram=262144,xip");
	assert_string_equal(got.boot, "mps2-an385");
	assert_string_equal(got.strategy, "greedy");
	assert_string_equal(got.features, "/etc/kmin/features.conf");
	assert_int_equal(got.max_builds, 12);
	assert_true(got.time_budget == 600);
	assert_true(got.created_ms > 0);
	kmin_track_clear(&got);
	assert_null(got.name);
}

static void test_track_optional_fields(void **state)
{
	struct fixture *f = *state;
	struct kmin_track t = job("plain"), got;
	char err[256];

	assert_int_equal(kmin_store_track_create(f->s, &t, NULL, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_track_get(f->s, "plain", &got, err, sizeof(err)), 1);
	assert_null(got.cross_compile);
	assert_null(got.features);
	assert_null(got.budget);
	assert_null(got.boot);
	assert_int_equal(got.max_builds, 0);
	assert_true(got.time_budget < 0);
	kmin_track_clear(&got);
}

static void test_track_unique_and_unknown(void **state)
{
	struct fixture *f = *state;
	struct kmin_track t = job("dup"), got;
	char err[256];

	assert_int_equal(kmin_store_track_create(f->s, &t, NULL, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_track_create(f->s, &t, NULL, err, sizeof(err)), KMIN_STORE_EINVAL);
	assert_non_null(strstr(err, "track 'dup' already exists"));
	assert_int_equal(kmin_store_track_get(f->s, "nope", &got, err, sizeof(err)), 0);
	assert_null(got.name);
	t.name = "";
	assert_int_equal(kmin_store_track_create(f->s, &t, NULL, err, sizeof(err)), KMIN_STORE_EINVAL);
}

static int count_track(void *payload, const struct kmin_track *t)
{
	int *n = payload;

	assert_non_null(t->name);
	(*n)++;
	return *n == 2 ? 5 : 0;	/* stop after the second */
}

static void test_tracks_foreach(void **state)
{
	struct fixture *f = *state;
	struct kmin_track a = job("a"), b = job("b"), c = job("c");
	char err[256];
	int n = 0;

	assert_int_equal(kmin_store_track_create(f->s, &a, NULL, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_track_create(f->s, &b, NULL, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_track_create(f->s, &c, NULL, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_tracks_foreach(f->s, count_track, &n, err, sizeof(err)), 5);
	assert_int_equal(n, 2);
}

static int64_t add_night(struct fixture *f, int64_t track, int64_t kernel,
			 enum kmin_night_status status, int64_t size, int64_t carried)
{
	struct kmin_night n = { 0 };
	char err[256];

	n.track_id = track;
	n.run_id = f->run;
	n.kernel_id = kernel;
	n.toolchain_id = f->toolchain;
	n.commit = kernel == f->kernel ? "aaaa" : "bbbb";
	n.describe = "v0.1-1-gaaaa";
	n.status = status;
	n.config_sha256 = status == KMIN_NIGHT_FAILED ? NULL : f->sha;
	n.size = size;
	n.carried_from = carried;
	assert_int_equal(kmin_store_night_add(f->s, &n, err, sizeof(err)), 0);
	assert_true(n.id > 0);
	assert_true(n.created_ms > 0);
	return n.id;
}

static void test_nights_last(void **state)
{
	struct fixture *f = *state;
	struct kmin_track t = job("n");
	struct kmin_night last;
	int64_t id, n1, n2, n3;
	char err[256];

	assert_int_equal(kmin_store_track_create(f->s, &t, &id, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_night_last(f->s, id, 0, &last, err, sizeof(err)), 0);
	n1 = add_night(f, id, f->kernel, KMIN_NIGHT_OK, 100, 0);
	n2 = add_night(f, id, f->kernel, KMIN_NIGHT_SAME, 100, n1);
	n3 = add_night(f, id, f->kernel2, KMIN_NIGHT_FAILED, -1, 0);
	assert_int_equal(kmin_store_night_last(f->s, id, 0, &last, err, sizeof(err)), 1);
	assert_int_equal(last.id, n3);
	assert_int_equal(last.status, KMIN_NIGHT_FAILED);
	assert_int_equal(last.size, -1);
	assert_null(last.config_sha256);
	assert_string_equal(last.kernel_ident, "git:bbbb");
	kmin_night_clear(&last);
	assert_int_equal(kmin_store_night_last(f->s, id, KMIN_NIGHT_WITH_RESULT, &last, err,
					       sizeof(err)), 1);
	assert_int_equal(last.id, n2);
	assert_int_equal(last.status, KMIN_NIGHT_SAME);
	assert_int_equal(last.carried_from, n1);
	assert_int_equal(last.builds, 0);	/* a carried night built nothing */
	assert_int_equal(last.size, 100);
	assert_string_equal(last.config_sha256, f->sha);
	assert_string_equal(last.kernel_ident, "git:aaaa");
	assert_string_equal(last.toolchain_ident, "gcc-12 id");
	assert_string_equal(last.commit, "aaaa");
	assert_string_equal(last.describe, "v0.1-1-gaaaa");
	kmin_night_clear(&last);
}

struct seen {
	int64_t ids[8];
	int64_t builds[8];
	int n;
};

static int collect_night(void *payload, const struct kmin_night *n)
{
	struct seen *s = payload;

	s->ids[s->n] = n->id;
	s->builds[s->n++] = n->builds;
	return 0;
}

static void test_nights_foreach_order(void **state)
{
	struct fixture *f = *state;
	struct kmin_track t = job("o"), u = job("other");
	struct seen seen = { 0 };
	int64_t id, other, a, b;
	char err[256];

	assert_int_equal(kmin_store_track_create(f->s, &t, &id, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_track_create(f->s, &u, &other, err, sizeof(err)), 0);
	a = add_night(f, id, f->kernel, KMIN_NIGHT_OK, 100, 0);
	add_night(f, other, f->kernel, KMIN_NIGHT_OK, 5, 0);
	b = add_night(f, id, f->kernel2, KMIN_NIGHT_OK, 120, 0);
	assert_int_equal(kmin_store_nights_foreach(f->s, id, collect_night, &seen, err, sizeof(err)),
			 0);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.ids[0], a);
	assert_int_equal(seen.ids[1], b);
	assert_int_equal(seen.builds[0], 7);	/* the run's builds */
}

static void test_night_bad_args(void **state)
{
	struct fixture *f = *state;
	struct kmin_night n = { 0 };
	char err[256];

	n.kernel_id = f->kernel;
	assert_int_equal(kmin_store_night_add(f->s, &n, err, sizeof(err)), KMIN_STORE_EINVAL);
	n.track_id = 999;	/* no such track: the foreign key refuses it */
	assert_true(kmin_store_night_add(f->s, &n, err, sizeof(err)) < 0);
	assert_string_equal(kmin_night_status_name(KMIN_NIGHT_SAME), "same");
	assert_string_equal(kmin_night_status_name((enum kmin_night_status)9), "?");
}

/* A schema-2 database (runs, no tracks) opens as schema 3 with its rows kept. */
static void test_migrate_from_2(void **state)
{
	char dir[64], db[128], err[256], cmd[160];
	struct kmin_store *s = NULL;
	struct kmin_track t = job("m"), got;
	sqlite3 *h;
	(void)state;

	tu_tempdir(dir, sizeof(dir), "track");
	snprintf(db, sizeof(db), "%s/old.db", dir);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	snprintf(cmd, sizeof(cmd), "PRAGMA application_id = %d", KMIN_STORE_APPLICATION_ID);
	assert_int_equal(sqlite3_exec(h, cmd, NULL, NULL, NULL), SQLITE_OK);
	for (unsigned int i = 0; i < kmin_store_migrations_count && kmin_store_migrations[i].version <= 2;
	     i++)
		assert_int_equal(sqlite3_exec(h, kmin_store_migrations[i].sql, NULL, NULL, NULL),
				 SQLITE_OK);
	assert_int_equal(sqlite3_exec(h,
		"PRAGMA user_version = 2; INSERT INTO runs(key, strategy, arch, requirements, base,"
		" metric, status, started_ms) VALUES ('k', 'greedy', 'arm', 'USB', 'tinyconfig',"
		" 'dec', 'done', 1)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(kmin_store_open(&s, db, 0, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_track_create(s, &t, NULL, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_track_get(s, "m", &got, err, sizeof(err)), 1);
	kmin_track_clear(&got);
	kmin_store_close(s);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	{
		sqlite3_stmt *st;
		assert_int_equal(sqlite3_prepare_v2(h, "SELECT (SELECT count(*) FROM runs),"
			" (SELECT user_version FROM pragma_user_version)", -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 1);
		assert_true(sqlite3_column_int(st, 1) >= 3);
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
	tu_remove_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_track_create_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_track_optional_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_track_unique_and_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tracks_foreach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nights_last, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nights_foreach_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_night_bad_args, setup, teardown),
		cmocka_unit_test(test_migrate_from_2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
