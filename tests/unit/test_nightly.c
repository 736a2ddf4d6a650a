/*
 * test_nightly.c - the nightly decisions (src/nightly.c) and the git
 * history between nights (src/git_log.c).
 *
 * Threshold parsing and growth, which paths the build never reads, the
 * new symbols turned on by default, and, on a small repository made with
 * the git command in /tmp: the commits between two commits (count,
 * short ids, subjects, the listing limit), the changed paths, and whether
 * last night's result may be reused (same tree, documentation-only
 * commit, a source change, another compiler, a dirty tree, a commit that
 * is not in the repository).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kmin/git_log.h"
#include "kmin/kernel_id.h"
#include "kmin/nightly.h"
#include "testutil.h"

static void test_threshold(void **state)
{
	struct kmin_threshold t;
	(void)state;

	assert_int_equal(kmin_threshold_parse("0", &t), 0);
	assert_false(t.percent);
	assert_false(kmin_threshold_exceeded(&t, 100, 100));
	assert_false(kmin_threshold_exceeded(&t, 100, 90));
	assert_true(kmin_threshold_exceeded(&t, 100, 101));
	assert_int_equal(kmin_threshold_parse("4096", &t), 0);
	assert_false(kmin_threshold_exceeded(&t, 100000, 104096));
	assert_true(kmin_threshold_exceeded(&t, 100000, 104097));
	assert_int_equal(kmin_threshold_parse("0.5%", &t), 0);
	assert_true(t.percent);
	assert_false(kmin_threshold_exceeded(&t, 100000, 100500));
	assert_true(kmin_threshold_exceeded(&t, 100000, 100501));
	assert_int_equal(kmin_threshold_parse("", &t), -1);
	assert_int_equal(kmin_threshold_parse("-1", &t), -1);
	assert_int_equal(kmin_threshold_parse("1.5", &t), -1);	/* bytes are whole */
	assert_int_equal(kmin_threshold_parse("10KB", &t), -1);
	assert_int_equal(kmin_threshold_parse("5%%", &t), -1);
	assert_int_equal(kmin_threshold_parse(" 5", &t), -1);
}

static void test_inert_paths(void **state)
{
	(void)state;
	assert_true(kmin_nightly_path_is_inert("README"));
	assert_true(kmin_nightly_path_is_inert("README.md"));
	assert_true(kmin_nightly_path_is_inert("drivers/usb/README"));
	assert_true(kmin_nightly_path_is_inert("Documentation/admin-guide/README.rst"));
	assert_true(kmin_nightly_path_is_inert("Documentation/Makefile"));
	assert_true(kmin_nightly_path_is_inert("MAINTAINERS"));
	assert_true(kmin_nightly_path_is_inert("LICENSES/preferred/GPL-2.0"));
	assert_true(kmin_nightly_path_is_inert("net/.gitignore"));
	assert_true(kmin_nightly_path_is_inert("notes.md"));
	assert_false(kmin_nightly_path_is_inert("Makefile"));
	assert_false(kmin_nightly_path_is_inert("drivers/usb/core/hcd.c"));
	assert_false(kmin_nightly_path_is_inert("drivers/usb/Kconfig"));
	assert_false(kmin_nightly_path_is_inert("scripts/Kconfig.include"));
	assert_false(kmin_nightly_path_is_inert("drivers/MAINTAINERS"));	/* only the top one */
	assert_false(kmin_nightly_path_is_inert("READMEX"));
	assert_false(kmin_nightly_path_is_inert("arch/arm/kernel/vmlinux.lds"));
	assert_false(kmin_nightly_path_is_inert("Documentation"));	/* not the directory's files */
}

static void test_new_symbols(void **state)
{
	static const char old_config[] =
		"#\n# comment\n#\nCONFIG_MMU=y\n# CONFIG_SWAP is not set\nCONFIG_HZ=100\n"
		"CONFIG_USB=m\n";
	static const char new_config[] =
		"#\n# comment\n#\nCONFIG_MMU=y\nCONFIG_SWAP=y\nCONFIG_NEW_Y=y\nCONFIG_HZ=100\n"
		"CONFIG_NEW_INT=12\nCONFIG_NEW_STR=\"y\"\n# CONFIG_NEW_OFF is not set\nCONFIG_USB=m\n"
		"CONFIG_NEW_M=m\nCONFIG_NEW_YES=yes\nCONFIG_MM=y";
	char **names = NULL;
	size_t n = 0;
	(void)state;

	assert_int_equal(kmin_nightly_new_symbols(old_config, new_config, &names, &n), 0);
	/* SWAP was known (not set): not new; ints, strings, off: not "on" */
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "NEW_Y");
	assert_string_equal(names[1], "NEW_M");
	assert_string_equal(names[2], "MM");	/* a prefix of MMU is another symbol */
	kmin_nightly_names_free(names, n);
	assert_int_equal(kmin_nightly_new_symbols(old_config, old_config, &names, &n), 0);
	assert_int_equal(n, 0);
	kmin_nightly_names_free(names, n);
}

/* ---- on a real repository ---- */

struct repo {
	char dir[64];
	char c1[41], c2[41], c3[41], c4[41];	/* base, docs, source, a second source commit */
};

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

static void head_of(const char *dir, char out[41])
{
	char cmd[256];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse HEAD", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, 41, p));
	pclose(p);
	assert_int_equal(strlen(out), 40);
}

static int repo_setup(void **state)
{
	struct repo *r = calloc(1, sizeof(*r));
	const char *g;

	if (!r)
		return -1;
	tu_tempdir(r->dir, sizeof(r->dir), "nightly");
	g = "git -c user.name=t -c user.email=t@example.com -c commit.gpgsign=false";
	sh("cd '%s' && git init -q . && printf 'VERSION = 0\\nPATCHLEVEL = 1\\nSUBLEVEL = 0\\n"
	   "EXTRAVERSION =\\n\\n' >Makefile && mkdir -p lib Documentation && echo 'int a[4];' "
	   ">lib/a.c && echo hi >README && %s add -A && %s commit -qm 'base'", r->dir, g, g);
	head_of(r->dir, r->c1);
	sh("cd '%s' && echo more >>README && echo doc >Documentation/x.rst && %s add -A && "
	   "%s commit -qm 'docs: explain'", r->dir, g, g);
	head_of(r->dir, r->c2);
	sh("cd '%s' && echo 'int a[8];' >lib/a.c && %s commit -qam 'lib: grow a'", r->dir, g);
	head_of(r->dir, r->c3);
	sh("cd '%s' && git mv lib/a.c lib/b.c && %s commit -qm 'lib: rename a to b'", r->dir, g);
	head_of(r->dir, r->c4);
	*state = r;
	return 0;
}

static int repo_teardown(void **state)
{
	struct repo *r = *state;

	tu_remove_tree(r->dir);
	free(r);
	return 0;
}

static void test_git_log(void **state)
{
	struct repo *r = *state;
	struct kmin_git_log log;
	char err[512];

	assert_int_equal(kmin_git_log_between(r->dir, r->c1, r->c4, 10, &log, err, sizeof(err)), 0);
	assert_int_equal(log.total, 3);
	assert_int_equal(log.n, 3);
	assert_string_equal(log.commits[0].subject, "lib: rename a to b");
	assert_string_equal(log.commits[1].subject, "lib: grow a");
	assert_string_equal(log.commits[2].subject, "docs: explain");
	assert_memory_equal(log.commits[1].id, r->c3, 40);
	assert_true(strlen(log.commits[1].short_id) >= 7);
	assert_memory_equal(log.commits[1].short_id, r->c3, strlen(log.commits[1].short_id));
	kmin_git_log_clear(&log);
	assert_int_equal(kmin_git_log_between(r->dir, r->c1, r->c4, 1, &log, err, sizeof(err)), 0);
	assert_int_equal(log.total, 3);
	assert_int_equal(log.n, 1);
	kmin_git_log_clear(&log);
	assert_int_equal(kmin_git_log_between(r->dir, r->c4, r->c4, 5, &log, err, sizeof(err)), 0);
	assert_int_equal(log.total, 0);
	kmin_git_log_clear(&log);
	assert_int_equal(kmin_git_log_between(r->dir, "0123456789012345678901234567890123456789",
					      r->c4, 5, &log, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "01234567890"));
	assert_int_equal(kmin_git_log_between(r->dir, "nothex", r->c4, 5, &log, err, sizeof(err)), -1);
	assert_int_equal(kmin_git_log_between("/nonexistent", r->c1, r->c4, 5, &log, err,
					      sizeof(err)), -1);
}

static void test_changed_paths(void **state)
{
	struct repo *r = *state;
	struct kmin_git_paths p;
	char err[512];

	assert_int_equal(kmin_git_changed_paths(r->dir, r->c1, r->c2, &p, err, sizeof(err)), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.paths[0], "Documentation/x.rst");
	assert_string_equal(p.paths[1], "README");
	kmin_git_paths_clear(&p);
	assert_int_equal(kmin_git_changed_paths(r->dir, r->c3, r->c4, &p, err, sizeof(err)), 0);
	assert_int_equal(p.n, 2);	/* both sides of the rename (seen as delete + add) */
	kmin_git_paths_clear(&p);
}

static void fill_now(struct kmin_kernel_id *k, const struct repo *r, const char *commit)
{
	memset(k, 0, sizeof(*k));
	snprintf(k->path, sizeof(k->path), "%s", r->dir);
	k->git = true;
	snprintf(k->commit, sizeof(k->commit), "%s", commit);
	snprintf(k->ident, sizeof(k->ident), "git:%s", commit);
}

static void test_reuse(void **state)
{
	struct repo *r = *state;
	struct kmin_night last = { 0 };
	struct kmin_kernel_id now;
	struct kmin_reuse_answer a;
	char ident[64], err[512], empty[41];

	snprintf(ident, sizeof(ident), "git:%s", r->c1);
	last.kernel_ident = ident;
	last.toolchain_ident = "gcc";
	last.commit = r->c1;
	fill_now(&now, r, r->c1);
	assert_int_equal(kmin_nightly_reuse(&last, &now, "gcc", &a, err, sizeof(err)), 0);
	assert_int_equal(a.reuse, KMIN_REUSE_SAME_TREE);
	assert_int_equal(kmin_nightly_reuse(&last, &now, "gcc-13", &a, err, sizeof(err)), 0);
	assert_int_equal(a.reuse, KMIN_REUSE_NO);
	assert_non_null(strstr(a.why, "compiler"));
	fill_now(&now, r, r->c2);
	assert_int_equal(kmin_nightly_reuse(&last, &now, "gcc", &a, err, sizeof(err)), 0);
	assert_int_equal(a.reuse, KMIN_REUSE_INERT);
	assert_int_equal(a.changed, 2);
	fill_now(&now, r, r->c3);
	assert_int_equal(kmin_nightly_reuse(&last, &now, "gcc", &a, err, sizeof(err)), 0);
	assert_int_equal(a.reuse, KMIN_REUSE_NO);
	assert_non_null(strstr(a.why, "lib/a.c"));
	now.dirty = true;	/* a dirty tree is never compared by commits */
	fill_now(&now, r, r->c2);
	now.dirty = true;
	assert_int_equal(kmin_nightly_reuse(&last, &now, "gcc", &a, err, sizeof(err)), 0);
	assert_int_equal(a.reuse, KMIN_REUSE_NO);
	/* an empty commit (a revert's net effect): nothing differs */
	sh("git -C '%s' -c user.name=t -c user.email=t@example.com -c commit.gpgsign=false "
	   "commit -q --allow-empty -m empty", r->dir);
	head_of(r->dir, empty);
	snprintf(ident, sizeof(ident), "git:%s", r->c4);
	last.commit = r->c4;
	fill_now(&now, r, empty);
	assert_int_equal(kmin_nightly_reuse(&last, &now, "gcc", &a, err, sizeof(err)), 0);
	assert_int_equal(a.reuse, KMIN_REUSE_INERT);
	assert_int_equal(a.changed, 0);
	last.commit = "0123456789012345678901234567890123456789";
	fill_now(&now, r, r->c2);
	assert_int_equal(kmin_nightly_reuse(&last, &now, "gcc", &a, err, sizeof(err)), 0);
	assert_int_equal(a.reuse, KMIN_REUSE_NO);
	assert_non_null(strstr(a.why, "cannot compare"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_inert_paths),
		cmocka_unit_test(test_new_symbols),
		cmocka_unit_test_setup_teardown(test_git_log, repo_setup, repo_teardown),
		cmocka_unit_test_setup_teardown(test_changed_paths, repo_setup, repo_teardown),
		cmocka_unit_test_setup_teardown(test_reuse, repo_setup, repo_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
