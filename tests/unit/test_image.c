/*
 * test_image.c - unit tests of parsed-tree images (kconfig/image.c).
 *
 * Each test writes a small Kconfig tree (sources, a choice, a string, a
 * $(shell,...) probe, a $(warning-if) diagnostic, both dialects) into a
 * temporary directory, with file times set in the past so that the tree is
 * not "racy", and opens it with a cache directory.  The claims:
 *   - the second open maps the image (no preprocessor: nothing was
 *     parsed) and every target gives the same bytes as a context parsed
 *     without any cache, with the same diagnostics;
 *   - a changed file, a file that appears where one was missing, another
 *     environment, a damaged image: a miss, and the result of a parse;
 *   - files changed just before the parse: no image is written;
 *   - two contexts at once: the second parses, both are right;
 *   - the cache directory keeps the 8 most recent images.
 */
#include <fcntl.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"
#include "testutil.h"

static const char top_kconfig[] =
	"mainmenu \"Image test\"\n"
	"config MODULES\n"
	"\tbool \"modules\"\n"
	"\tdefault y\n"
	"\tmodules\n"
	"PROBE := $(shell,echo y)\n"
	"WARN := $(warning-if,y,a warning from the preprocessor)\n"
	"config FROM_SHELL\n"
	"\tdef_bool $(PROBE)\n"
	"source \"sub/Kconfig\"\n"
	"choice\n"
	"\tprompt \"pick\"\n"
	"\tdefault C2\n"
	"config C1\n"
	"\tbool \"c1\"\n"
	"config C2\n"
	"\tbool \"c2\"\n"
	"endchoice\n";

static const char sub_kconfig[] =
	"config A\n"
	"\ttristate \"a\"\n"
	"\tdefault m\n"
	"config S\n"
	"\tstring \"s\"\n"
	"\tdefault \"hello\"\n"
	"\thelp\n"
	"\t  Some help.\n"
	"config N\n"
	"\tint \"n\"\n"
	"\trange 1 10\n"
	"\tdefault 3\n"
	"\tdepends on A\n";

struct fixture {
	char dir[64];		/* the tree */
	char cache[80];		/* the image (and $(shell)) cache */
	char srctree_var[96];
	const char *env[5];
	char log[4096];		/* diagnostics of the last open */
};

static void collect_diag(void *payload, const struct kconfig_diag *d)
{
	char *log = payload;
	size_t n = strlen(log);

	snprintf(log + n, 4096 - n, "%d %s:%d %s\n", (int)d->level, d->file ? d->file : "-",
		 d->line, d->message);
}

/* mtime two hours ago (ctime stays: it is what tells a real change) */
static void age(const char *dir, const char *name)
{
	char path[256];
	struct timespec t[2];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	clock_gettime(CLOCK_REALTIME, &t[0]);
	t[0].tv_sec -= 7200;
	t[1] = t[0];
	assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

#define NTREES 7
static struct fixture trees[NTREES];

/* One tree per test, all aged at once: one wait for the racy window. */
static void tree_make(struct fixture *f)
{
	tu_tempdir(f->dir, sizeof(f->dir), "image");
	snprintf(f->cache, sizeof(f->cache), "%s/cache", f->dir);
	assert_int_equal(mkdir(f->cache, 0755), 0);
	assert_int_equal(mkdir(strcat(strcpy(f->log, f->dir), "/sub"), 0755), 0);
	f->log[0] = '\0';
	tu_write_str(f->dir, "Kconfig", top_kconfig);
	tu_write_str(f->dir, "sub/Kconfig", sub_kconfig);
	tu_write_str(f->dir, "Makefile", "VERSION = 6\nPATCHLEVEL = 1\n");
	snprintf(f->srctree_var, sizeof(f->srctree_var), "srctree=%s", f->dir);
	f->env[0] = f->srctree_var;
	f->env[1] = "SRCARCH=test";
	f->env[2] = NULL;
	age(f->dir, "Kconfig");
	age(f->dir, "sub/Kconfig");
	age(f->dir, "Makefile");
}

static int group_setup(void **state)
{
	(void)state;
	for (int i = 0; i < NTREES; i++)
		tree_make(&trees[i]);
	/* ages set by utimensat() move the ctime to now: wait for the racy window to pass */
	sleep(3);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tu_remove_tree(f->dir);
	return 0;
}

static struct kconfig *open_tree(struct fixture *f, bool cached)
{
	struct kconfig_options opts = KCONFIG_OPTIONS_INIT;
	struct kconfig *kc = NULL;

	opts.srctree = f->dir;
	opts.env = f->env;
	opts.shell_cwd = f->dir;
	opts.shell_cache_dir = cached ? f->cache : NULL;
	opts.diag = collect_diag;
	opts.diag_payload = f->log;
	f->log[0] = '\0';
	assert_int_equal(kconfig_open(&kc, &opts), 0);
	return kc;
}

/* A context mapped from an image parsed nothing: it has no preprocessor. */
static bool from_image(const struct kconfig *kc)
{
	return kc->image && !kc->pp;
}

static int count_images(struct fixture *f)
{
	char pat[128];
	glob_t g;
	int n;

	snprintf(pat, sizeof(pat), "%s/tree-*.img", f->cache);
	if (glob(pat, 0, NULL, &g))
		return 0;
	n = (int)g.gl_pathc;
	globfree(&g);
	return n;
}

/* The text of a target's .config (savedefconfig: its defconfig). */
static char *run_target(struct kconfig *kc, enum kconfig_target target)
{
	struct kconfig_target_options o = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	assert_int_equal(kconfig_target_run(kc, target, &o), 0);
	mem = open_memstream(&text, &len);
	assert_non_null(mem);
	assert_int_equal(kc_conf_write_fp(kc, mem), 0);
	assert_int_equal(fclose(mem), 0);
	return text;
}

/* Every target of a loaded context equals a fresh parse's. */
static void assert_same_results(struct kconfig *a, struct kconfig *b)
{
	static const enum kconfig_target targets[] = {
		KCONFIG_TARGET_ALLDEFCONFIG, KCONFIG_TARGET_ALLNOCONFIG,
		KCONFIG_TARGET_ALLYESCONFIG, KCONFIG_TARGET_ALLMODCONFIG,
		KCONFIG_TARGET_OLDDEFCONFIG,
	};

	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		char *x = run_target(a, targets[i]), *y = run_target(b, targets[i]);

		assert_string_equal(x, y);
		free(x);
		free(y);
	}
}

static void test_warm_open_equals_parse(void **state)
{
	struct fixture *f = *state;
	struct kconfig *cold, *warm, *plain;
	char cold_log[4096];

	cold = open_tree(f, true);
	assert_false(from_image(cold));
	strcpy(cold_log, f->log);
	assert_non_null(strstr(cold_log, "a warning from the preprocessor"));
	assert_int_equal(count_images(f), 1);
	kconfig_free(cold);

	warm = open_tree(f, true);
	assert_true(from_image(warm));
	assert_string_equal(f->log, cold_log);	/* diagnostics replayed */
	plain = open_tree(f, false);		/* a second context: parses */
	assert_false(from_image(plain));
	assert_string_equal(kconfig_symbol_string(warm, kconfig_symbol_find(warm, "FROM_SHELL")),
			    "y");
	assert_same_results(warm, plain);
	/* symbols set afterwards live outside the image */
	struct kconfig_symbol *s = kconfig_symbol_find(warm, "S");
	assert_int_equal(kconfig_symbol_set_string(warm, s, "changed"), 0);
	assert_string_equal(kconfig_symbol_string(warm, s), "changed");
	kconfig_free(plain);
	kconfig_free(warm);
}

static void test_changed_file_misses(void **state)
{
	struct fixture *f = *state;
	struct kconfig *kc;
	char *text;

	kconfig_free(open_tree(f, true));
	kc = open_tree(f, true);
	assert_true(from_image(kc));
	kconfig_free(kc);

	/* same size, same (old) mtime: only the ctime tells */
	{
		char *changed = strdup(sub_kconfig);
		char *p = strstr(changed, "default m");

		p[8] = 'y';
		tu_write_str(f->dir, "sub/Kconfig", changed);
		free(changed);
	}
	age(f->dir, "sub/Kconfig");
	kc = open_tree(f, true);
	assert_false(from_image(kc));
	text = run_target(kc, KCONFIG_TARGET_ALLDEFCONFIG);
	assert_non_null(strstr(text, "CONFIG_A=y\n"));
	free(text);
	kconfig_free(kc);
	/* the change was racy: no image of it yet, so still a parse */
	kc = open_tree(f, true);
	assert_false(from_image(kc));
	text = run_target(kc, KCONFIG_TARGET_ALLDEFCONFIG);
	assert_non_null(strstr(text, "CONFIG_A=y\n"));
	free(text);
	kconfig_free(kc);
}

static void test_missing_makefile_appears(void **state)
{
	struct fixture *f = *state;
	char path[128];
	struct kconfig *kc;

	snprintf(path, sizeof(path), "%s/Makefile", f->dir);
	assert_int_equal(unlink(path), 0);
	kconfig_free(open_tree(f, true));
	kc = open_tree(f, true);
	assert_true(from_image(kc));
	kconfig_free(kc);
	/* the dialect comes from the Makefile: its appearance is a change */
	tu_write_str(f->dir, "Makefile", "VERSION = 6\nPATCHLEVEL = 12\n");
	kc = open_tree(f, true);
	assert_false(from_image(kc));
	assert_int_equal(kc->dialect, KC_DIALECT_6_12);
	kconfig_free(kc);
}

static void test_other_env_misses(void **state)
{
	struct fixture *f = *state;
	struct kconfig *kc;

	kconfig_free(open_tree(f, true));
	f->env[2] = "EXTRA=1";
	f->env[3] = NULL;
	kc = open_tree(f, true);
	assert_false(from_image(kc));
	kconfig_free(kc);
	kc = open_tree(f, true);
	assert_true(from_image(kc));	/* its own image now */
	kconfig_free(kc);
	assert_int_equal(count_images(f), 2);
}

static void test_damaged_image_misses(void **state)
{
	struct fixture *f = *state;
	char pat[128];
	struct kconfig *kc, *plain;
	glob_t g;

	kconfig_free(open_tree(f, true));
	snprintf(pat, sizeof(pat), "%s/tree-*.img", f->cache);
	assert_int_equal(glob(pat, 0, NULL, &g), 0);
	assert_int_equal(truncate(g.gl_pathv[0], 4096 * 3), 0);
	globfree(&g);
	kc = open_tree(f, true);
	assert_false(from_image(kc));
	plain = open_tree(f, false);
	assert_same_results(kc, plain);
	kconfig_free(plain);
	kconfig_free(kc);
}

static void test_prune_keeps_newest(void **state)
{
	struct fixture *f = *state;
	char name[128];

	/* ten images of other trees, older than anything written now */
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "cache/tree-old%02d.img", i);
		tu_write_str(f->dir, name, "old");
		age(f->dir, name);
	}
	tu_write_str(f->dir, "cache/.tree-dead", "half");
	age(f->dir, "cache/.tree-dead");
	kconfig_free(open_tree(f, true));
	assert_int_equal(count_images(f), 8);
	snprintf(name, sizeof(name), "%s/cache/.tree-dead", f->dir);
	assert_int_equal(access(name, F_OK), -1);
	struct kconfig *kc = open_tree(f, true);
	assert_true(from_image(kc));	/* the new one stayed */
	kconfig_free(kc);
}

static void test_racy_tree_not_stored(void **state)
{
	struct fixture *f = *state;
	struct kconfig *kc;

	/* the files were just written */
	tu_write_str(f->dir, "Kconfig", top_kconfig);
	kc = open_tree(f, true);
	assert_false(from_image(kc));
	kconfig_free(kc);
	assert_int_equal(count_images(f), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_prestate_setup_teardown(test_racy_tree_not_stored, NULL,
							 teardown, &trees[0]),
		cmocka_unit_test_prestate_setup_teardown(test_warm_open_equals_parse, NULL,
							 teardown, &trees[1]),
		cmocka_unit_test_prestate_setup_teardown(test_changed_file_misses, NULL,
							 teardown, &trees[2]),
		cmocka_unit_test_prestate_setup_teardown(test_missing_makefile_appears, NULL,
							 teardown, &trees[3]),
		cmocka_unit_test_prestate_setup_teardown(test_other_env_misses, NULL,
							 teardown, &trees[4]),
		cmocka_unit_test_prestate_setup_teardown(test_damaged_image_misses, NULL,
							 teardown, &trees[5]),
		cmocka_unit_test_prestate_setup_teardown(test_prune_keeps_newest, NULL,
							 teardown, &trees[6]),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
