/*
 * test_kernel.c - arch table, kernel version and make's environment for conf.
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

#include "kmin/kernel.h"
#include "testutil.h"

static char tree[64];

static int setup_tree(void **state)
{
	char path[128];
	(void)state;
	tu_tempdir(tree, sizeof(tree), "kernel");
	tu_write_str(tree, "Makefile",
		     "# SPDX-License-Identifier: GPL-2.0\nVERSION = 6\nPATCHLEVEL = 1\n"
		     "SUBLEVEL = 192\nEXTRAVERSION = -rc1\nNAME = Curry Ramen\n");
	/* the compiler-version cache goes to the test's own directory */
	snprintf(path, sizeof(path), "%s/cache", tree);
	setenv("XDG_CACHE_HOME", path, 1);
	return 0;
}

static int teardown_tree(void **state)
{
	(void)state;
	tu_remove_tree(tree);
	return 0;
}

static void test_arch_table(void **state)
{
	(void)state;
	const struct kmin_arch *a = kmin_arch_find("arm");
	assert_non_null(a);
	assert_string_equal(a->srcarch, "arm");
	assert_string_equal(a->cross_compile, "arm-linux-gnueabi-");
	assert_string_equal(a->image, "zImage");
	assert_string_equal(a->compiler_package, "gcc-arm-linux-gnueabi");
	assert_string_equal(kmin_arch_find("x86_64")->srcarch, "x86");
	assert_string_equal(kmin_arch_find("i386")->srcarch, "x86");
	assert_null(kmin_arch_find("pdp11"));

	struct kmin_arch g;
	kmin_arch_guess("xtensa", &g);
	assert_string_equal(g.srcarch, "xtensa");
	assert_string_equal(g.cross_compile, "");
}

static void test_version(void **state)
{
	char buf[64], err[256];
	(void)state;
	assert_int_equal(kmin_kernel_version(tree, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "6.1.192-rc1");
	assert_int_equal(kmin_kernel_version("/nonexistent", buf, sizeof(buf), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a kernel source tree"));
	assert_non_null(strstr(err, "/nonexistent/Makefile"));
}

static void test_env(void **state)
{
	struct kmin_kernel_env *env;
	char err[256];
	(void)state;

	setenv("KCONFIG_ALLCONFIG", "/tmp/should-not-leak", 1);
	assert_int_equal(kmin_kernel_env_new(&env, tree, "x86_64", NULL, 0, err, sizeof(err)), 0);
	assert_string_equal(kmin_kernel_env_get(env, "ARCH"), "x86_64");
	assert_string_equal(kmin_kernel_env_get(env, "SRCARCH"), "x86");
	assert_string_equal(kmin_kernel_env_get(env, "CC"), "gcc");
	assert_string_equal(kmin_kernel_env_get(env, "LD"), "ld");
	assert_string_equal(kmin_kernel_env_get(env, "KERNELVERSION"), "6.1.192-rc1");
	assert_string_equal(kmin_kernel_env_get(env, "srctree"), tree);
	assert_null(kmin_kernel_env_get(env, "KCONFIG_ALLCONFIG"));
	assert_null(kmin_kernel_env_get(env, "LC_ALL"));
	/* CC_VERSION_TEXT is the first line of `gcc --version`, without '#'. */
	const char *vt = kmin_kernel_env_get(env, "CC_VERSION_TEXT");
	assert_non_null(vt);
	assert_non_null(strstr(vt, "gcc"));
	assert_null(strchr(vt, '\n'));
	assert_null(strchr(vt, '#'));
	assert_non_null(strstr(kmin_kernel_env_toolchain_id(env), vt));
	char first[512];
	snprintf(first, sizeof(first), "%s", vt);
	kmin_kernel_env_free(env);
	/* the second time the version text comes from the cache, unchanged */
	char cachedir[160];
	snprintf(cachedir, sizeof(cachedir), "%s/cache/kmin/cc-version", tree);
	assert_int_equal(access(cachedir, F_OK), 0);
	assert_int_equal(kmin_kernel_env_new(&env, tree, "x86_64", NULL, 0, err, sizeof(err)), 0);
	assert_string_equal(kmin_kernel_env_get(env, "CC_VERSION_TEXT"), first);
	/* the array form carries the same values */
	int found = 0;
	for (const char *const *v = kmin_kernel_env_vars(env); *v; v++)
		found += !strcmp(*v, "SRCARCH=x86");
	assert_int_equal(found, 1);
	kmin_kernel_env_free(env);

	/* a missing compiler gives an empty version text and a different toolchain id */
	assert_int_equal(kmin_kernel_env_new(&env, tree, "arm", "no-such-prefix-", 0, err,
					     sizeof(err)), 0);
	assert_string_equal(kmin_kernel_env_get(env, "CC"), "no-such-prefix-gcc");
	assert_string_equal(kmin_kernel_env_get(env, "CC_VERSION_TEXT"), "");
	assert_non_null(strstr(kmin_kernel_env_toolchain_id(env), "missing"));
	kmin_kernel_env_free(env);
	unsetenv("KCONFIG_ALLCONFIG");
}

static void test_env_non_kernel(void **state)
{
	struct kmin_kernel_env *env;
	char err[256];
	(void)state;
	assert_int_equal(kmin_kernel_env_new(&env, "/tmp", "arm", NULL, 0, err, sizeof(err)), -1);
	assert_null(env);
	assert_int_equal(kmin_kernel_env_new(&env, "/tmp", "arm", NULL, KMIN_ENV_ALLOW_NON_KERNEL,
					     err, sizeof(err)), 0);
	assert_string_equal(kmin_kernel_env_get(env, "KERNELVERSION"), "");
	kmin_kernel_env_free(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arch_table),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_env_non_kernel),
	};
	return cmocka_run_group_tests(tests, setup_tree, teardown_tree);
}
