/*
 * test_file.c - the shared file-system chores (src/file.c): reading a
 * whole file, mkdir -p, and removing a tree without following links.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "kmin/file.h"
#include "testutil.h"

static bool exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

static void test_read(void **state)
{
	char dir[64];
	size_t len = 0;
	char *text;

	(void)state;
	tu_tempdir(dir, sizeof(dir), "file");
	tu_write(dir, "a", "one\0two", 7);
	text = kmin_file_read(tu_path(dir, "a"), &len);
	assert_non_null(text);
	assert_int_equal(len, 7);
	assert_memory_equal(text, "one\0two", 8);	/* NUL-terminated after len */
	free(text);
	errno = 0;
	assert_null(kmin_file_read(tu_path(dir, "missing"), NULL));
	assert_int_equal(errno, ENOENT);
	tu_remove_tree(dir);
}

static void test_mkdir_p(void **state)
{
	char dir[64], deep[128];

	(void)state;
	tu_tempdir(dir, sizeof(dir), "file");
	snprintf(deep, sizeof(deep), "%s/a/b/c", dir);
	assert_int_equal(kmin_mkdir_p(deep, 0755), 0);
	assert_true(exists(deep));
	assert_int_equal(kmin_mkdir_p(deep, 0755), 0);		/* exists: fine */
	tu_write_str(dir, "f", "x");
	snprintf(deep, sizeof(deep), "%s/f/g", dir);
	assert_int_equal(kmin_mkdir_p(deep, 0755), -1);		/* a file in the way */
	assert_int_equal(errno, ENOTDIR);
	tu_remove_tree(dir);
}

static void test_remove_tree(void **state)
{
	char dir[64], outside[64], victim[128], link[128];

	(void)state;
	tu_tempdir(dir, sizeof(dir), "file");
	tu_tempdir(outside, sizeof(outside), "file-outside");
	tu_write_str(outside, "keep", "must survive");
	tu_write_str(dir, "t/x/y/z.o", "object");
	tu_write_str(dir, "t/x/.hidden", "dot file");
	tu_write_str(dir, "t/top", "file");
	/* links into another tree are removed, never followed */
	snprintf(victim, sizeof(victim), "%s/t/x/to-outside", dir);
	assert_int_equal(symlink(outside, victim), 0);
	snprintf(link, sizeof(link), "%s/t/dangling", dir);
	assert_int_equal(symlink("/nonexistent/kmin", link), 0);
	snprintf(victim, sizeof(victim), "%s/t", dir);
	assert_int_equal(kmin_remove_tree(victim), 0);
	assert_false(exists(victim));
	assert_true(exists(tu_path(outside, "keep")));
	/* nothing there: nothing to do */
	assert_int_equal(kmin_remove_tree(victim), 0);
	/* a plain file is removed too */
	tu_write_str(dir, "plain", "x");
	assert_int_equal(kmin_remove_tree(tu_path(dir, "plain")), 0);
	assert_false(exists(tu_path(dir, "plain")));
	/* refused: the empty path and the root */
	errno = 0;
	assert_int_equal(kmin_remove_tree(""), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(kmin_remove_tree("/"), -1);
	assert_int_equal(kmin_remove_tree(NULL), -1);
	tu_remove_tree(dir);
	tu_remove_tree(outside);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_mkdir_p),
		cmocka_unit_test(test_remove_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
