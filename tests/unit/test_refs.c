/*
 * test_refs.c - the index of CONFIG_ names in a tree's code (refs.h): which
 * files count, which directories are skipped, CONFIG_X_MODULE, tokens
 * inside longer words, and the cache file written and read back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmin/refs.h"
#include "testutil.h"

static char tree[64];

static int setup(void **state)
{
	(void)state;
	tu_tempdir(tree, sizeof(tree), "refs");
	tu_write_str(tree, "Makefile", "obj-$(CONFIG_TOP) += top.o\n");
	tu_write_str(tree, "kernel/Kbuild", "obj-$(CONFIG_KBUILD_ONLY) += a.o\n");
	tu_write_str(tree, "kernel/a.c",
		     "#ifdef CONFIG_IN_C\n#endif\nint x = IS_ENABLED(CONFIG_MOD_MODULE);\n"
		     "int MYCONFIG_NOT_A_TOKEN;\n");
	tu_write_str(tree, "arch/arm/head.S", "#ifdef CONFIG_ARM_ONLY\n#endif\n");
	tu_write_str(tree, "arch/arm/vmlinux.lds", "CONFIG_IN_LDS\n");
	tu_write_str(tree, "arch/arm/boot/compressed/Makefile",
		     "compress-$(CONFIG_ZIP_XZ) = xz\nCONFIG_IN_C\n");
	tu_write_str(tree, "arch/arm/bootstrap.c", "CONFIG_NOT_BOOT_DIR\n");
	tu_write_str(tree, "drivers/efi/Makefile.zboot", "CONFIG_ZIP_LZ4\n");
	tu_write_str(tree, "arch/x86/a.c", "CONFIG_OTHER_ARCH\n");
	tu_write_str(tree, "Documentation/a.c", "CONFIG_DOC_ONLY\n");
	tu_write_str(tree, "tools/a.c", "CONFIG_TOOLS_ONLY\n");
	tu_write_str(tree, "kernel/Kconfig",
		     "config IN_KCONFIG\n\tdepends on CONFIG_KCONFIG_TEXT\n");
	tu_write_str(tree, "kernel/notes.txt", "CONFIG_IN_TXT\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_remove_tree(tree);
	return 0;
}

static void check_index(const struct kmin_refs *r)
{
	assert_true(kmin_refs_has(r, "TOP"));
	assert_true(kmin_refs_has(r, "KBUILD_ONLY"));
	assert_true(kmin_refs_has(r, "IN_C"));
	assert_true(kmin_refs_has(r, "MOD"));		/* CONFIG_MOD_MODULE */
	assert_true(kmin_refs_has(r, "MOD_MODULE"));
	assert_true(kmin_refs_has(r, "ARM_ONLY"));
	assert_true(kmin_refs_has(r, "IN_LDS"));
	assert_false(kmin_refs_has(r, "NOT_A_TOKEN"));	/* inside MYCONFIG_... */
	assert_false(kmin_refs_has(r, "OTHER_ARCH"));
	assert_false(kmin_refs_has(r, "DOC_ONLY"));
	assert_false(kmin_refs_has(r, "TOOLS_ONLY"));
	assert_false(kmin_refs_has(r, "KCONFIG_TEXT"));	/* Kconfig files are not code */
	assert_false(kmin_refs_has(r, "IN_TXT"));
	assert_false(kmin_refs_has(r, ""));
	/* the boot wrapper's names: code, but not vmlinux's */
	assert_true(kmin_refs_has(r, "ZIP_XZ"));
	assert_false(kmin_refs_in_vmlinux(r, "ZIP_XZ"));
	assert_true(kmin_refs_has(r, "ZIP_LZ4"));
	assert_false(kmin_refs_in_vmlinux(r, "ZIP_LZ4"));
	assert_true(kmin_refs_in_vmlinux(r, "IN_C"));	/* named by both: vmlinux */
	assert_true(kmin_refs_in_vmlinux(r, "NOT_BOOT_DIR"));
	assert_true(kmin_refs_in_vmlinux(r, "TOP"));
	assert_int_equal(kmin_refs_count(r), 10);
}

static void test_scan(void **state)
{
	struct kmin_refs *r = NULL;
	char err[256];

	(void)state;
	assert_int_equal(kmin_refs_load(&r, tree, "arm", NULL, err, sizeof(err)), 0);
	check_index(r);
	kmin_refs_free(r);
}

static void test_cache(void **state)
{
	struct kmin_refs *r = NULL;
	char err[256], cache[512];

	(void)state;
	snprintf(cache, sizeof(cache), "%s.cache", tree);
	unlink(cache);
	assert_int_equal(kmin_refs_load(&r, tree, "arm", cache, err, sizeof(err)), 0);
	kmin_refs_free(r);
	assert_int_equal(access(cache, R_OK), 0);
	/* the cache answers: a new file in the tree is not seen through it */
	tu_write_str(tree, "kernel/b.c", "CONFIG_LATER\n");
	assert_int_equal(kmin_refs_load(&r, tree, "arm", cache, err, sizeof(err)), 0);
	check_index(r);
	kmin_refs_free(r);
	unlink(cache);
	snprintf(cache, sizeof(cache), "%s/kernel/b.c", tree);
	unlink(cache);
}

static void test_missing_tree(void **state)
{
	struct kmin_refs *r = NULL;
	char err[256] = "";

	(void)state;
	assert_int_equal(kmin_refs_load(&r, "/nonexistent/kmin-tree", "arm", NULL, err, sizeof(err)), -1);
	assert_null(r);
	assert_non_null(strstr(err, "/nonexistent/kmin-tree"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_missing_tree),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
