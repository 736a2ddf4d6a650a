/*
 * test_store_query.c - the read-only queries of db/store_query.c.
 *
 * A small database is made through the store's own API (a git kernel, a
 * toolchain, three configs, builds with sections, a finished run with its
 * steps, an unfinished one), then each query is checked against what was
 * written: runs with their kernel, commit, step counts and final build;
 * a missing run; the newest ok real build of a config (filters, a failed
 * build and a cached answer skipped); hash prefixes (unique, none, not
 * hex); sections in order; the export join; and requirement lists
 * compared as sets.  Also: the queries leave the file's bytes alone.
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

#include "kmin/kernel_id.h"
#include "kmin/store.h"
#include "kmin/store_query.h"
#include "testutil.h"

struct fixture {
	char dir[64];
	char db[128];
	struct kmin_store *s;
	int64_t kernel, toolchain;
	char sha[3][65];
	int64_t build[5];
	int64_t run_done, run_open;
};

static const char *const configs[3] = {
	"CONFIG_MMU=y\nCONFIG_USB=y\nCONFIG_SPI=y\nCONFIG_I2C=y\n",
	"CONFIG_MMU=y\nCONFIG_USB=y\nCONFIG_SPI=y\n# CONFIG_I2C is not set\n",
	"CONFIG_MMU=y\n",
};

static int64_t record(struct fixture *f, int cfg, enum kmin_build_status status, int64_t text)
{
	static const struct kmin_section secs[] = { { ".text", 800 }, { ".data", 100 },
						     { ".bss", 50 } };
	struct kmin_build b = { 0 };
	int64_t id = 0;
	char err[256];

	memcpy(b.key.config_sha256, f->sha[cfg], 65);
	b.key.kernel_id = f->kernel;
	b.key.toolchain_id = f->toolchain;
	b.key.arch = "arm";
	b.key.image = "zImage";
	b.status = status;
	b.text = status == KMIN_BUILD_OK ? text : -1;
	b.data = status == KMIN_BUILD_OK ? 100 : -1;
	b.bss = status == KMIN_BUILD_OK ? 50 : -1;
	b.image_bytes = status == KMIN_BUILD_OK ? text / 2 : -1;
	b.seconds = 1.5;
	b.started_ms = 1000;
	b.finished_ms = 2500;
	b.first_error = status == KMIN_BUILD_OK ? NULL : "undefined reference to `x'";
	if (status == KMIN_BUILD_OK) {
		b.sections = secs;
		b.nsections = 3;
	}
	assert_int_equal(kmin_store_build_record(f->s, &b, &id, err, sizeof(err)), 0);
	return id;
}

static void step(struct fixture *f, int64_t run, enum kmin_step_kind kind, const char *moves,
		 const char *reason, int64_t size, int64_t saving)
{
	struct kmin_run_step t = { .run_id = run, .kind = kind, .moves = moves, .reason = reason,
				   .size = size, .saving = saving };
	char err[256];

	assert_int_equal(kmin_store_step_add(f->s, &t, err, sizeof(err)), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct kmin_kernel_id k = { 0 };
	struct kmin_run r = { 0 };
	char err[256];

	assert_non_null(f);
	tu_tempdir(f->dir, sizeof(f->dir), "query");
	snprintf(f->db, sizeof(f->db), "%s/results.db", f->dir);
	assert_int_equal(kmin_store_open(&f->s, f->db, 0, err, sizeof(err)), 0);
	snprintf(k.version, sizeof(k.version), "6.1.158");
	snprintf(k.path, sizeof(k.path), "/src/linux");
	k.git = true;
	snprintf(k.commit, sizeof(k.commit), "0123456789abcdef0123456789abcdef01234567");
	snprintf(k.describe, sizeof(k.describe), "v6.1-3-g0123456");
	snprintf(k.ident, sizeof(k.ident), "git:%s", k.commit);
	assert_int_equal(kmin_store_kernel_upsert(f->s, &k, &f->kernel, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_toolchain_upsert(f->s, NULL, "gcc 12", &f->toolchain, err,
						     sizeof(err)), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(kmin_store_config_put(f->s, configs[i], strlen(configs[i]),
						       f->sha[i], NULL, err, sizeof(err)), 0);
	f->build[0] = record(f, 0, KMIN_BUILD_OK, 5000);	/* base */
	f->build[1] = record(f, 2, KMIN_BUILD_FAILED, 0);	/* a move that failed */
	f->build[2] = record(f, 1, KMIN_BUILD_OK, 3000);	/* accepted */
	assert_int_equal(kmin_store_build_record_cached(f->s, f->build[2], "w1", 3000, 3001,
							&f->build[3], err, sizeof(err)), 0);
	f->build[4] = record(f, 1, KMIN_BUILD_OK, 2900);	/* the verification: newest */

	r.key = "k";
	r.strategy = "greedy";
	r.arch = "arm";
	r.requirements = "USB,SPI";
	r.base = "tinyconfig";
	r.metric = "dec";
	r.kernel_id = f->kernel;
	r.toolchain_id = f->toolchain;
	r.status = KMIN_RUN_RUNNING;
	r.base_size = -1;
	r.final_size = -1;
	r.started_ms = 1000;
	assert_int_equal(kmin_store_run_create(f->s, &r, &f->run_done, err, sizeof(err)), 0);
	r.id = f->run_done;
	r.status = KMIN_RUN_DONE;
	r.base_sha256 = f->sha[0];
	r.base_size = 5150;
	r.final_sha256 = f->sha[1];
	r.final_size = 3050;
	r.builds = 3;
	r.cached = 1;
	r.finished_ms = 9000;
	assert_int_equal(kmin_store_run_update(f->s, &r, err, sizeof(err)), 0);
	step(f, f->run_done, KMIN_STEP_BASE, "", "ok", 5150, 0);
	step(f, f->run_done, KMIN_STEP_REJECT, "MMU=n USB=n", "failed: x", -1, 0);
	step(f, f->run_done, KMIN_STEP_ACCEPT, "I2C=n", "ok", 3150, 2000);
	step(f, f->run_done, KMIN_STEP_REJECT, "SPI=n", "lost SPI", -1, 0);
	step(f, f->run_done, KMIN_STEP_VERIFY, "", "ok", 3050, 0);

	r.requirements = "USB";
	r.status = KMIN_RUN_RUNNING;
	r.final_sha256 = NULL;
	r.final_size = -1;
	r.finished_ms = 0;
	assert_int_equal(kmin_store_run_create(f->s, &r, &f->run_open, err, sizeof(err)), 0);
	kmin_store_close(f->s);
	/* from here on: read-only, as the query commands open it */
	assert_int_equal(kmin_store_open(&f->s, f->db, KMIN_STORE_READONLY, err, sizeof(err)), 0);
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

/* ---- runs ---- */

struct runs_seen {
	int n;
	struct kmin_query_run last;
	char commit[41], kernel[64], sha[65];
	int64_t ids[4];
};

static int on_run(void *payload, const struct kmin_query_run *q)
{
	struct runs_seen *s = payload;

	s->ids[s->n++] = q->run.id;
	s->last = *q;
	snprintf(s->commit, sizeof(s->commit), "%s", q->commit ? q->commit : "");
	snprintf(s->kernel, sizeof(s->kernel), "%s", q->kernel);
	snprintf(s->sha, sizeof(s->sha), "%s", q->run.final_sha256 ? q->run.final_sha256 : "");
	return 0;
}

static void test_runs(void **state)
{
	struct fixture *f = *state;
	struct runs_seen s = { 0 };
	char err[256];

	assert_int_equal(kmin_store_query_runs(f->s, 0, on_run, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 2);
	assert_true(s.ids[0] == f->run_done && s.ids[1] == f->run_open);

	memset(&s, 0, sizeof(s));
	assert_int_equal(kmin_store_query_runs(f->s, f->run_done, on_run, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.commit, "0123456789abcdef0123456789abcdef01234567");
	assert_string_equal(s.kernel, "v6.1-3-g0123456");
	assert_string_equal(s.sha, f->sha[1]);
	assert_int_equal(s.last.accepted, 1);
	assert_int_equal(s.last.rejected, 2);
	assert_int_equal(s.last.run.status, KMIN_RUN_DONE);
	/* the final config's newest ok real build: the verification, not the cached row */
	assert_int_equal(s.last.final_build_id, f->build[4]);
	assert_int_equal(s.last.final.text, 2900);
	assert_int_equal(s.last.final.data + s.last.final.bss, 150);
	assert_null(s.last.track);

	memset(&s, 0, sizeof(s));
	assert_int_equal(kmin_store_query_runs(f->s, f->run_open, on_run, &s, err, sizeof(err)), 0);
	assert_int_equal(s.last.final_build_id, 0);
	assert_int_equal(s.last.final.text, -1);

	memset(&s, 0, sizeof(s));
	assert_int_equal(kmin_store_query_runs(f->s, 999, on_run, &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 0);
}

/* ---- configs, builds, sections ---- */

static void test_config_build(void **state)
{
	struct fixture *f = *state;
	struct kmin_query_sizes z;
	int64_t id;
	char err[256];

	assert_int_equal(kmin_store_query_config_build(f->s, f->sha[1], 0, 0, NULL, &id, &z, err,
						       sizeof(err)), 1);
	assert_int_equal(id, f->build[4]);
	assert_int_equal(z.image, 1450);
	assert_int_equal(kmin_store_query_config_build(f->s, f->sha[1], f->kernel, f->toolchain,
						       "arm", &id, &z, err, sizeof(err)), 1);
	assert_int_equal(kmin_store_query_config_build(f->s, f->sha[1], f->kernel + 1, 0, NULL,
						       &id, &z, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_query_config_build(f->s, f->sha[1], 0, 0, "x86", &id, &z, err,
						       sizeof(err)), 0);
	/* only a failed build: no sizes */
	assert_int_equal(kmin_store_query_config_build(f->s, f->sha[2], 0, 0, NULL, &id, &z, err,
						       sizeof(err)), 0);
	assert_int_equal(id, 0);
	assert_int_equal(z.text, -1);
}

static void test_config_sha(void **state)
{
	struct fixture *f = *state;
	char out[65], prefix[16], upper[16];
	char err[256];

	snprintf(prefix, sizeof(prefix), "%.12s", f->sha[0]);
	assert_int_equal(kmin_store_query_config_sha(f->s, prefix, out, err, sizeof(err)), 1);
	assert_string_equal(out, f->sha[0]);
	for (int i = 0; prefix[i]; i++)
		upper[i] = (char)(prefix[i] >= 'a' ? prefix[i] - 32 : prefix[i]), upper[i + 1] = 0;
	assert_int_equal(kmin_store_query_config_sha(f->s, upper, out, err, sizeof(err)), 1);
	assert_int_equal(kmin_store_query_config_sha(f->s, f->sha[2], out, err, sizeof(err)), 1);
	assert_string_equal(out, f->sha[2]);
	/* none: a hash no config has (flip the first digit of a real one) */
	snprintf(prefix, sizeof(prefix), "%.12s", f->sha[0]);
	prefix[0] = prefix[0] == '0' ? '1' : '0';
	if (strncmp(prefix, f->sha[1], 12) && strncmp(prefix, f->sha[2], 12))
		assert_int_equal(kmin_store_query_config_sha(f->s, prefix, out, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_query_config_sha(f->s, "xyz0", out, err, sizeof(err)),
			 KMIN_STORE_EINVAL);
	assert_int_equal(kmin_store_query_config_sha(f->s, "ab", out, err, sizeof(err)),
			 KMIN_STORE_EINVAL);
	assert_non_null(strstr(err, "'ab'"));
}

struct sections_seen {
	int n;
	char names[8][16];
	int64_t total;
};

static int on_section(void *payload, const struct kmin_section *sec)
{
	struct sections_seen *s = payload;

	snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", sec->name);
	s->total += sec->size;
	return 0;
}

static void test_sections(void **state)
{
	struct fixture *f = *state;
	struct sections_seen s = { 0 };
	char err[256];

	assert_int_equal(kmin_store_sections_foreach(f->s, f->build[0], on_section, &s, err,
						   sizeof(err)), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.names[0], ".text");
	assert_string_equal(s.names[2], ".bss");
	assert_int_equal(s.total, 950);
	memset(&s, 0, sizeof(s));
	assert_int_equal(kmin_store_sections_foreach(f->s, f->build[1], on_section, &s, err,
						   sizeof(err)), 0);
	assert_int_equal(s.n, 0);
}

/* ---- export ---- */

struct export_seen {
	int n, cached, failed;
	bool joined;
};

static int on_export(void *payload, const struct kmin_query_export_row *r)
{
	struct export_seen *s = payload;

	s->n++;
	s->cached += r->cached_from != 0;
	s->failed += !strcmp(r->status, "failed") && *r->first_error && r->sizes.text == -1;
	s->joined = !strcmp(r->kernel_version, "6.1.158") &&
		    !strcmp(r->kernel_commit, "0123456789abcdef0123456789abcdef01234567") &&
		    !strcmp(r->toolchain, "gcc 12") && strlen(r->config_sha256) == 64 &&
		    r->config_bytes > 0;
	return s->n == 4;	/* a positive return stops the listing and is returned */
}

static void test_export(void **state)
{
	struct fixture *f = *state;
	struct export_seen s = { 0 };
	char err[256];

	assert_int_equal(kmin_store_query_export(f->s, on_export, &s, err, sizeof(err)), 1);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.cached, 1);
	assert_int_equal(s.failed, 1);
	assert_true(s.joined);
}

/* ---- the file is only read ---- */

static void test_read_only(void **state)
{
	struct fixture *f = *state;
	struct runs_seen s = { 0 };
	struct export_seen e = { 0 };
	char err[256], cmd[256];

	/* queries leave the main file byte for byte as it was */
	snprintf(cmd, sizeof(cmd), "sha256sum '%s' > '%s/before'", f->db, f->dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(kmin_store_query_runs(f->s, 0, on_run, &s, err, sizeof(err)), 0);
	assert_int_equal(kmin_store_query_export(f->s, on_export, &e, err, sizeof(err)), 1);
	snprintf(cmd, sizeof(cmd), "cd '%s' && sha256sum '%s' | cmp -s - before", f->dir, f->db);
	assert_int_equal(system(cmd), 0);
}

/* ---- requirement sets ---- */

static void test_requirements(void **state)
{
	(void)state;
	assert_true(kmin_requirements_cover("USB,SPI", "SPI,USB"));
	assert_true(kmin_requirements_cover("USB,SPI,I2C", "spi, usb"));
	assert_true(kmin_requirements_cover("CONFIG_USB=y,SPI", "USB"));
	assert_true(kmin_requirements_cover("USB", "config_usb=y"));
	assert_true(kmin_requirements_cover("USB", "USB,,USB"));
	assert_true(kmin_requirements_cover("USB", ""));
	assert_false(kmin_requirements_cover("USB", "USB,SPI"));
	assert_false(kmin_requirements_cover("USB=m", "USB"));
	assert_false(kmin_requirements_cover("USB_SUPPORT", "USB"));
	assert_false(kmin_requirements_cover("DEBUG_FS=n", "DEBUG_FS"));
	assert_true(kmin_requirements_cover("DEBUG_FS=n,USB", "debug_fs=n"));
	assert_true(kmin_requirements_equal("SPI, USB", "usb,spi,USB"));
	assert_false(kmin_requirements_equal("SPI,USB,I2C", "USB,SPI"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_build, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_sha, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only, setup, teardown),
		cmocka_unit_test(test_requirements),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
